package io.joblib4j.persist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.joblib4j.Joblib;
import io.joblib4j.SerializableFunction;
import io.joblib4j.array.PersistException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AllowlistEdgeTest {
    @TempDir
    Path dir;

    static volatile boolean staticInitRan;

    /** Its static initializer must never run because of a load. */
    public static final class StaticInit {
        static {
            staticInitRan = true;
        }
    }

    @Test
    void load_classObject_isRefused_andStaticInitializerDoesNotRun() throws Exception {
        Path f = dir.resolve("class.j4j");
        Joblib.dump(
                new ArrayList<>(List.of(
                        "x",
                        Class.forName(
                                StaticInit.class.getName() + "",
                                false,
                                getClass().getClassLoader()))),
                f);
        assertThatThrownBy(() -> Joblib.load(f)).isInstanceOf(DisallowedClassException.class);
        assertThat(staticInitRan).isFalse();
    }

    @Test
    void load_serializableLambda_isRefusedByDefault() throws Exception {
        Path f = dir.resolve("lambda.j4j");
        SerializableFunction<Integer, Integer> fn = x -> x + 1;
        Joblib.dump(new ArrayList<>(List.of(fn)), f);
        assertThatThrownBy(() -> Joblib.load(f)).isInstanceOf(PersistException.class);
        Object back = Joblib.load(f, LoadOptions.builder().trustAllClasses().build());
        @SuppressWarnings("unchecked")
        SerializableFunction<Integer, Integer> g = (SerializableFunction<Integer, Integer>) ((List<?>) back).get(0);
        assertThat(g.apply(1)).isEqualTo(2);
    }

    @Test
    void load_proxy_isRefused() throws Exception {
        Path f = dir.resolve("proxy.j4j");
        Runnable proxy = (Runnable) java.lang.reflect.Proxy.newProxyInstance(
                getClass().getClassLoader(),
                new Class<?>[] {Runnable.class, java.io.Serializable.class},
                (java.lang.reflect.InvocationHandler & java.io.Serializable) (p, m, a) -> null);
        try {
            Joblib.dump(new ArrayList<>(List.of(proxy)), f);
        } catch (PersistException cannotEvenWrite) {
            return;
        }
        assertThatThrownBy(() -> Joblib.load(f)).isInstanceOf(PersistException.class);
    }
}
