package io.joblib4j.hazelcast;

import com.hazelcast.config.ClassFilter;
import com.hazelcast.config.JavaSerializationFilterConfig;
import java.io.ObjectInputFilter;
import java.util.List;

/**
 * The Java deserialization filter of members and clients: a blacklist of the classes and packages below, which
 * serve as links of well-known deserialization gadget chains (the ysoserial families). The same list guards the
 * streams the backend reads itself (the tasks of a batch).
 */
final class Security {
    private Security() {}

    /** Classes refused whatever their package. */
    static final List<String> CLASSES = List.of(
            "javax.management.BadAttributeValueExpException",
            "java.rmi.server.UnicastRemoteObject",
            "java.rmi.server.RemoteObjectInvocationHandler",
            "javax.management.remote.rmi.RMIConnectionImpl_Stub",
            "com.sun.rowset.JdbcRowSetImpl",
            "com.sun.jndi.rmi.registry.ReferenceWrapper",
            "com.sun.org.apache.xalan.internal.xsltc.trax.TemplatesImpl",
            "com.sun.org.apache.xalan.internal.xsltc.trax.TrAXFilter");

    /** Class name prefixes refused. */
    static final List<String> PREFIXES = List.of(
            "org.apache.commons.collections.functors.",
            "org.apache.commons.collections4.functors.",
            "org.apache.commons.beanutils.",
            "org.codehaus.groovy.runtime.",
            "org.springframework.beans.factory.",
            "org.springframework.aop.",
            "com.mchange.v2.c3p0.",
            "org.apache.xalan.",
            "sun.rmi.",
            "com.sun.org.apache.xalan.",
            "bsh.",
            "org.python.core.",
            "net.sf.json.",
            "com.mysql.cj.jdbc.");

    static JavaSerializationFilterConfig hazelcastFilter() {
        ClassFilter blacklist = new ClassFilter();
        blacklist.addClasses(CLASSES.toArray(String[]::new));
        blacklist.addPrefixes(PREFIXES.toArray(String[]::new));
        // Hazelcast's defaults come with a whitelist of its own and the JDK's packages, which would refuse the
        // application's task and result classes: the defaults are off and the blacklist below stands alone.
        return new JavaSerializationFilterConfig().setDefaultsDisabled(true).setBlacklist(blacklist);
    }

    /** True if objects of the class named {@code name} are refused. */
    static boolean refused(String name) {
        return CLASSES.contains(name) || PREFIXES.stream().anyMatch(name::startsWith);
    }

    /** The same rules as a JDK filter, for the streams the backend reads itself. */
    static final ObjectInputFilter JDK_FILTER = info -> {
        Class<?> c = info.serialClass();
        while (c != null && c.isArray()) {
            c = c.getComponentType();
        }
        if (c == null) {
            return ObjectInputFilter.Status.UNDECIDED;
        }
        return refused(c.getName()) ? ObjectInputFilter.Status.REJECTED : ObjectInputFilter.Status.UNDECIDED;
    };
}
