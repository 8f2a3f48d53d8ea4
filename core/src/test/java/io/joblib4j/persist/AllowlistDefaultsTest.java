package io.joblib4j.persist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.joblib4j.Joblib;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.time.DayOfWeek;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** What the default allowlist admits: exactly the documented list, and no code of records or enums. */
class AllowlistDefaultsTest {
    @TempDir
    Path dir;

    static final AtomicInteger CONSTRUCTED = new AtomicInteger();

    /** A record whose canonical constructor has a side effect. */
    record Audited(String name) {
        Audited {
            CONSTRUCTED.incrementAndGet();
        }
    }

    record Point(int x, String label, List<Double> ws) {}

    record Holder(List<Object> items) {}

    enum Level {
        LOW,
        HIGH
    }

    /** Its static initializer leaves a trace in a system property. */
    public enum Noisy {
        ONE;

        static {
            System.setProperty(
                    "joblib4j.test.noisy." + Noisy.class.getClassLoader().hashCode(), "initialized");
        }
    }

    @Test
    void load_record_isRefusedByDefault_withoutRunningItsConstructor() throws Exception {
        Path f = dir.resolve("record.dump");
        Joblib.dump(new ArrayList<>(List.of(new Audited("x"))), f);
        CONSTRUCTED.set(0);
        assertThatThrownBy(() -> Joblib.load(f))
                .isInstanceOf(DisallowedClassException.class)
                .hasMessageContaining(Audited.class.getName())
                .hasMessageContaining("allowClasses(AllowlistDefaultsTest.Audited.class)")
                .hasMessageContaining(".allowPackages(\"io.joblib4j.persist\")");
        assertThat(CONSTRUCTED).hasValue(0);
        List<Audited> back =
                Joblib.load(f, LoadOptions.builder().allowClasses(Audited.class).build());
        assertThat(back).containsExactly(new Audited("x"));
    }

    @Test
    void load_enum_isRefusedByDefault_withoutRunningItsStaticInitializer() throws Exception {
        // the enum is defined a second time by a loader of its own, so the test's copy is not yet initialized
        // the folder the class file is in (on the module path the test classes are patched into core's module, whose
        // location is main's classes); no parent but the boot loader, which cannot see the test's copy of the enum
        String file = Noisy.class.getName().replace('.', '/') + ".class";
        String url = Noisy.class.getClassLoader().getResource(file).toString();
        URL classes = URI.create(url.substring(0, url.length() - file.length())).toURL();
        Path f = dir.resolve("enum.dump");
        try (URLClassLoader other = new URLClassLoader(new URL[] {classes}, null)) {
            Object one = other.loadClass(Noisy.class.getName()).getEnumConstants()[0];
            Joblib.dump(new ArrayList<>(List.of(one)), f);
        }
        String key = "joblib4j.test.noisy."
                + AllowlistDefaultsTest.class.getClassLoader().hashCode();
        assertThat(System.getProperty(key)).isNull();
        assertThatThrownBy(() -> Joblib.load(f))
                .isInstanceOf(DisallowedClassException.class)
                .hasMessageContaining(Noisy.class.getName());
        assertThat(System.getProperty(key))
                .as("the enum's static initializer ran")
                .isNull();
        List<Object> back =
                Joblib.load(f, LoadOptions.builder().allowClasses(Noisy.class).build());
        assertThat(back).containsExactly(Noisy.ONE);
    }

    @Test
    void load_allowedRecord_withInterfaceTypedFields_loads() throws Exception {
        Path f = dir.resolve("point.dump");
        Point p = new Point(3, "p", new ArrayList<>(List.of(1.5, 2.5)));
        Joblib.dump(p, f);
        assertThat(Joblib.<Point>load(
                        f, LoadOptions.builder().allowClasses(Point.class).build()))
                .isEqualTo(p);
        assertThat(Joblib.<Point>load(
                        f,
                        LoadOptions.builder()
                                .allowPackages("io.joblib4j.persist")
                                .build()))
                .isEqualTo(p);
        assertThat(Joblib.load(f, Point.class)).isEqualTo(p);
    }

    @Test
    void load_allowedRecord_holdingADisallowedValueBehindAnInterfaceField_isStillRefused() throws Exception {
        Path f = dir.resolve("holder-gadget.dump");
        List<Object> items = new ArrayList<>();
        items.add(new AtomicReference<>("x"));
        Joblib.dump(new Holder(items), f);
        assertThatThrownBy(() -> Joblib.load(
                        f, LoadOptions.builder().allowClasses(Holder.class).build()))
                .isInstanceOf(DisallowedClassException.class)
                .hasMessageContaining("java.util.concurrent.atomic.AtomicReference");
    }

    static List<Object> builtInsOutsideTheList() {
        return List.of(
                new AtomicReference<>("x"),
                java.nio.ByteBuffer.allocate(8),
                new LinkedBlockingQueue<>(List.of(1)),
                new ArrayBlockingQueue<>(2, false, List.of(1)),
                new StackTraceElement("C", "m", "C.java", 1),
                new java.io.IOException("boom"),
                new IllegalStateException("boom"));
    }

    @ParameterizedTest
    @MethodSource("builtInsOutsideTheList")
    void load_jdkTypeOutsideTheDocumentedList_isRefused(Object value) throws Exception {
        Path f = dir.resolve("builtin.dump");
        Joblib.dump(new ArrayList<>(List.of("ok", value)), f);
        assertThatThrownBy(() -> Joblib.load(f))
                .isInstanceOf(DisallowedClassException.class)
                .satisfies(e -> assertThat(((DisallowedClassException) e).className())
                        .isEqualTo(value.getClass().getName()));
        assertThatThrownBy(() -> Joblib.load(new java.io.ByteArrayInputStream(java.nio.file.Files.readAllBytes(f))))
                .isInstanceOf(DisallowedClassException.class);
        Object back = ((List<?>)
                        Joblib.load(f, LoadOptions.builder().trustAllClasses().build()))
                .get(1);
        assertThat(back).isInstanceOf(value.getClass());
    }

    @Test
    void enumSetAndEnumMap_ofAnAllowedEnum_roundTrip_andAreRefusedWhenTheEnumIsNot() throws Exception {
        Path f = dir.resolve("enums.dump");
        EnumMap<Level, Integer> map = new EnumMap<>(Map.of(Level.LOW, 1, Level.HIGH, 2));
        List<Object> value = List.of(EnumSet.of(Level.HIGH), map, EnumSet.noneOf(Level.class));
        Joblib.dump(value, f);
        List<Object> back =
                Joblib.load(f, LoadOptions.builder().allowClasses(Level.class).build());
        assertThat(back).isEqualTo(value);
        assertThatThrownBy(() -> Joblib.load(f))
                .isInstanceOf(DisallowedClassException.class)
                .hasMessageContaining(Level.class.getName());
        // JDK enums are value types
        Joblib.dump(List.of(EnumSet.of(DayOfWeek.MONDAY), new EnumMap<>(Map.of(DayOfWeek.FRIDAY, "f"))), f);
        assertThat(Joblib.<Object>load(f))
                .isEqualTo(List.of(EnumSet.of(DayOfWeek.MONDAY), new EnumMap<>(Map.of(DayOfWeek.FRIDAY, "f"))));
    }

    /** The whole default list. A class added to it must be added here and to docs/persistence.md. */
    static final Set<String> DOCUMENTED_CLASSES = Set.of(
            "java.lang.String",
            "java.lang.Boolean",
            "java.lang.Byte",
            "java.lang.Short",
            "java.lang.Character",
            "java.lang.Integer",
            "java.lang.Long",
            "java.lang.Float",
            "java.lang.Double",
            "java.lang.Number",
            "java.lang.Object",
            "java.lang.StringBuilder",
            "java.lang.StringBuffer",
            "java.math.BigInteger",
            "java.math.BigDecimal",
            "java.math.MathContext",
            "java.math.RoundingMode",
            "java.util.ArrayList",
            "java.util.LinkedList",
            "java.util.ArrayDeque",
            "java.util.Vector",
            "java.util.Stack",
            "java.util.HashMap",
            "java.util.LinkedHashMap",
            "java.util.TreeMap",
            "java.util.Hashtable",
            "java.util.IdentityHashMap",
            "java.util.HashSet",
            "java.util.LinkedHashSet",
            "java.util.TreeSet",
            "java.util.EnumMap",
            "java.util.EnumSet",
            "java.util.RegularEnumSet",
            "java.util.JumboEnumSet",
            "java.util.PriorityQueue",
            "java.util.Arrays$ArrayList",
            "java.util.BitSet",
            "java.util.Optional",
            "java.util.OptionalInt",
            "java.util.OptionalLong",
            "java.util.OptionalDouble",
            "java.util.UUID",
            "java.util.Date",
            "java.util.Locale",
            "java.util.Currency",
            "java.util.AbstractMap$SimpleEntry",
            "java.util.AbstractMap$SimpleImmutableEntry",
            "java.util.KeyValueHolder",
            "java.util.concurrent.ConcurrentHashMap",
            "java.util.concurrent.ConcurrentSkipListMap",
            "java.util.concurrent.ConcurrentSkipListSet",
            "java.util.concurrent.CopyOnWriteArrayList",
            "java.util.concurrent.CopyOnWriteArraySet",
            "java.util.concurrent.ConcurrentLinkedQueue",
            "java.util.concurrent.ConcurrentLinkedDeque",
            "java.util.concurrent.atomic.AtomicInteger",
            "java.util.concurrent.atomic.AtomicLong",
            "java.util.concurrent.atomic.AtomicBoolean",
            "java.util.regex.Pattern",
            "java.net.URI",
            "java.nio.charset.Charset",
            "java.sql.Date",
            "java.sql.Time",
            "java.sql.Timestamp",
            "io.joblib4j.array.NdArray",
            "io.joblib4j.array.DType");

    static final List<String> DOCUMENTED_PREFIXES =
            List.of("java.time.", "java.util.ImmutableCollections$", "java.util.Collections$");

    @Test
    void defaultAllowlist_isExactlyTheDocumentedList() {
        assertThat(new TreeSet<>(Allowlist.CLASSES)).containsExactlyElementsOf(new TreeSet<>(DOCUMENTED_CLASSES));
        assertThat(Allowlist.PREFIXES).containsExactlyElementsOf(DOCUMENTED_PREFIXES);
        // the serializer's own registered classes bypass the name check: only documented ones may be read
        for (String name : ForyEngine.builtInClassesAllowedByDefault()) {
            String element = name.replaceFirst("^\\[+L?", "").replace(";", "");
            boolean primitiveArray =
                    name.startsWith("[") && name.replace("[", "").length() == 1;
            assertThat(primitiveArray
                            || DOCUMENTED_CLASSES.contains(element)
                            || DOCUMENTED_PREFIXES.stream().anyMatch(element::startsWith))
                    .as("built-in class %s is read by default but is not on the documented list", name)
                    .isTrue();
        }
        assertThat(LoadOptions.defaults().allowsRecords()).isFalse();
        assertThat(LoadOptions.defaults().isAllowed(Audited.class.getName())).isFalse();
        assertThat(LoadOptions.defaults().isAllowed(Level.class.getName())).isFalse();
    }
}
