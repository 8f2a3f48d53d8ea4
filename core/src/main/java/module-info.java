/**
 * joblib4j: parallel map over pluggable backends, disk memoization and fast persistence of object graphs
 * with raw, memory-mappable arrays.
 */
module io.joblib4j.core {
    exports io.joblib4j;
    exports io.joblib4j.parallel;
    exports io.joblib4j.backend;
    exports io.joblib4j.persist;
    exports io.joblib4j.memory;
    exports io.joblib4j.array;
    exports io.joblib4j.hash;
    exports io.joblib4j.process;
    exports io.joblib4j.multiprocessing;

    requires me.tongfei.progressbar;
    requires org.apache.fory.core;
    requires org.lz4.java;
    requires com.github.luben.zstd_jni;
    requires org.tukaani.xz;
    requires org.apache.commons.compress;
    requires hash4j;
    requires com.fasterxml.jackson.jr.ob;
    requires static transitive org.jspecify;
    requires jdk.jfr;
    // the JVM's own options, to start workers with the same view of the module path (WorkerClassPath)
    requires java.management;

    uses io.joblib4j.backend.BackendProvider;

    provides io.joblib4j.backend.BackendProvider with
            io.joblib4j.process.ProcessBackendProvider;
}
