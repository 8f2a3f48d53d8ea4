package io.joblib4j.persist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.joblib4j.Joblib;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.Serial;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AllowlistTest {
    @TempDir
    Path dir;

    /** A class whose deserialization runs code, like the entry points of known gadget chains. */
    public static final class Gadget implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;

        static final java.util.concurrent.atomic.AtomicInteger SIDE_EFFECTS =
                new java.util.concurrent.atomic.AtomicInteger();
        String command = "touch /tmp/pwned";

        @Serial
        private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
            in.defaultReadObject();
            SIDE_EFFECTS.incrementAndGet();
        }
    }

    /** A plain application class. */
    public static final class Pojo {
        int a = 1;
        String b = "x";
    }

    @BeforeEach
    void reset() {
        Gadget.SIDE_EFFECTS.set(0);
    }

    @Test
    void load_gadgetClass_isRefusedByDefault_beforeAnyInstanceRuns() throws Exception {
        Path f = dir.resolve("gadget.dump");
        Joblib.dump(new ArrayList<>(List.of("harmless", new Gadget())), f);
        assertThatThrownBy(() -> Joblib.load(f))
                .isInstanceOf(DisallowedClassException.class)
                .hasMessageContaining(Gadget.class.getName())
                .hasMessageContaining(f.toString())
                .satisfies(e ->
                        assertThat(((DisallowedClassException) e).className()).isEqualTo(Gadget.class.getName()));
        assertThat(Gadget.SIDE_EFFECTS.get()).isZero();
    }

    @Test
    void load_gadgetInsideMapValue_isRefusedFromStreamsToo() throws Exception {
        var out = new java.io.ByteArrayOutputStream();
        Joblib.dump(Map.of("k", new Gadget()), out, Compression.zstd());
        assertThatThrownBy(() -> Joblib.load(new java.io.ByteArrayInputStream(out.toByteArray())))
                .isInstanceOf(DisallowedClassException.class)
                .hasMessageContaining("Gadget");
        assertThat(Gadget.SIDE_EFFECTS.get()).isZero();
    }

    @Test
    void load_allowedClass_loads_andAllowingOnceDoesNotLeakIntoDefaults() throws Exception {
        Path f = dir.resolve("pojo.dump");
        Joblib.dump(new Pojo(), f);
        Pojo p = Joblib.load(f, LoadOptions.builder().allowClasses(Pojo.class).build());
        assertThat(p.b).isEqualTo("x");
        Pojo q = Joblib.load(
                f, LoadOptions.builder().allowPackages("io.joblib4j.persist").build());
        assertThat(q.a).isEqualTo(1);
        assertThatThrownBy(() -> Joblib.load(f)).isInstanceOf(DisallowedClassException.class);
        assertThat(Joblib.load(f, Pojo.class).a).isEqualTo(1);
    }

    @Test
    @SuppressWarnings("URLEqualsHashCode") // the URLDNS gadget is the point; example.invalid never resolves
    void load_knownJdkGadget_isRefusedEvenWhenNamedExplicitly() throws Exception {
        // java.net.URL is the entry point of the URLDNS chain: its hashCode resolves the host name
        Path f = dir.resolve("url.dump");
        Joblib.dump(
                new java.util.HashMap<>(
                        Map.of(java.net.URI.create("http://example.invalid/").toURL(), 1)),
                f);
        LoadOptions opts =
                LoadOptions.builder().allowClassNames(List.of("java.net.URL")).build();
        assertThatThrownBy(() -> Joblib.load(f, opts))
                .isInstanceOf(DisallowedClassException.class)
                .hasMessageContaining("java.net.URL");
    }

    @Test
    void load_trustAll_loadsAnything() throws Exception {
        Path f = dir.resolve("trusted.dump");
        Joblib.dump(new Gadget(), f);
        Gadget g = Joblib.load(f, LoadOptions.builder().trustAllClasses().build());
        assertThat(g.command).isEqualTo("touch /tmp/pwned");
    }

    @Test
    void allowPackages_tooBroad_isRejected() {
        assertThatThrownBy(() -> LoadOptions.builder().allowPackages("java"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("too broad");
    }

    @Test
    void isAllowed_defaults() {
        LoadOptions d = LoadOptions.defaults();
        assertThat(d.isAllowed("java.util.ArrayList")).isTrue();
        assertThat(d.isAllowed("[Ljava.lang.String;")).isTrue();
        assertThat(d.isAllowed("[[D")).isTrue();
        assertThat(d.isAllowed("java.time.LocalDate")).isTrue();
        assertThat(d.isAllowed("io.joblib4j.array.NdArray")).isTrue();
        assertThat(d.isAllowed(DumpLoadTest.Point.class.getName())).isFalse();
        assertThat(d.isAllowed(Pojo.class.getName())).isFalse();
        assertThat(d.isAllowed("java.net.URL")).isFalse();
        assertThat(d.isAllowed("com.sun.org.apache.xalan.internal.xsltc.trax.TemplatesImpl"))
                .isFalse();
        assertThat(LoadOptions.builder().allowRecords(true).build().isAllowed(DumpLoadTest.Point.class.getName()))
                .isTrue();
    }
}
