package io.joblib4j.array;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real NumPy on the other side: Python writes, Java reads; Java writes, Python reads. */
class NumpyInteropTest {
    static final String[] KINDS = {"?", "i1", "u1", "i2", "u2", "i4", "u4", "i8", "u8", "f4", "f8"};

    @TempDir
    Path dir;

    String python;

    @BeforeEach
    void needNumpy() {
        var py = PythonNumpy.find();
        assumeTrue(
                py.isPresent(),
                "no Python with NumPy found (set JOBLIB4J_PYTHON, or install python3-numpy); "
                        + "NumPy interop tests skipped");
        python = py.get();
    }

    private void python(String script) throws Exception {
        var r = PythonNumpy.run(python, script, dir);
        assertThat(r.exitCode()).as("python output:\n%s", r.output()).isZero();
    }

    static DType dtypeOf(String kind) {
        return DType.parseNumpyDescr(kind.equals("?") ? "|b1" : "<" + kind).dtype();
    }

    @Test
    void javaReads_numpyFiles_everyDtype_bothByteOrders_versions1to3() throws Exception {
        python("""
                import numpy as np
                kinds = %s
                for k in kinds:
                    for e in '<>':
                        dt = np.dtype(e + k) if k != '?' else np.dtype('?')
                        a = (np.arange(24) %% 2 == 1) if k == '?' else np.arange(24).astype(dt)
                        a = a.reshape(2, 3, 4)
                        np.save(k.replace('?', 'b') + ('le' if e == '<' else 'be') + '.npy', a)
                a = np.arange(6, dtype='<f8').reshape(2, 3)
                for v in [(2, 0), (3, 0)]:
                    with open('v%%d.npy' %% v[0], 'wb') as f:
                        np.lib.format.write_array(f, a, version=v)
                np.save('fortran.npy', np.asfortranarray(a))
                np.save('fortran3.npy', np.asfortranarray(np.arange(24, dtype='>i4').reshape(2, 3, 4)))
                np.save('scalar.npy', np.float64(2.5))
                np.save('empty.npy', np.zeros((0, 3), dtype='<i4'))
                np.save('complex.npy', np.zeros(3, dtype=np.complex128))
                np.savez('plain.npz', x=np.arange(5, dtype='<i8'), y=np.ones((2, 2)))
                np.savez_compressed('packed.npz', z=np.linspace(0, 1, 100))
                """.formatted(pythonList()));
        for (String k : KINDS) {
            for (String e : new String[] {"le", "be"}) {
                Path f = dir.resolve(k.replace("?", "b") + e + ".npy");
                for (NdArray a : new NdArray[] {Npy.load(f), Npy.map(f, MmapMode.READ_ONLY)}) {
                    assertThat(a.dtype()).as(f.toString()).isEqualTo(dtypeOf(k));
                    assertThat(a.shape()).containsExactly(2, 3, 4);
                    for (int i = 0; i < 24; i++) {
                        double expected = k.equals("?") ? i % 2 : i;
                        assertThat(a.getFlatDouble(i))
                                .as("%s[%d]", f.getFileName(), i)
                                .isEqualTo(expected);
                    }
                    assertThat(a.getDouble(1, 2, 3)).isEqualTo(k.equals("?") ? 1 : 23);
                }
            }
        }
        for (String v : new String[] {"v2.npy", "v3.npy"}) {
            NdArray a = Npy.load(dir.resolve(v));
            assertThat(a.toDoubleArray()).containsExactly(0, 1, 2, 3, 4, 5);
            assertThat(Npy.readHeader(dir.resolve(v)).major()).isEqualTo(Integer.parseInt(v.substring(1, 2)));
        }
        assertThat(Npy.load(dir.resolve("scalar.npy")).shape()).isEmpty();
        assertThat(Npy.load(dir.resolve("scalar.npy")).getDouble()).isEqualTo(2.5);
        assertThat(Npy.load(dir.resolve("empty.npy")).shape()).containsExactly(0, 3);
        NdArray fortran = Npy.load(dir.resolve("fortran.npy"));
        assertThat(fortran.shape()).containsExactly(2, 3);
        assertThat(fortran.toDoubleArray()).containsExactly(0, 1, 2, 3, 4, 5);
        NdArray f3 = Npy.load(dir.resolve("fortran3.npy"));
        assertThat(f3.shape()).containsExactly(2, 3, 4);
        for (int i = 0; i < 24; i++) {
            assertThat(f3.getFlatLong(i)).isEqualTo(i);
        }
        assertThatThrownBy(() -> Npy.map(dir.resolve("fortran.npy"), MmapMode.READ_ONLY))
                .isInstanceOf(PersistException.class)
                .hasMessageContaining("Fortran");
        assertThatThrownBy(() -> Npy.load(dir.resolve("complex.npy")))
                .isInstanceOf(PersistException.class)
                .hasMessageContaining("unsupported NumPy dtype '<c16'")
                .hasMessageContaining("complex.npy");
        Map<String, NdArray> plain = Npy.loadNpz(dir.resolve("plain.npz"));
        assertThat(plain.keySet()).containsExactly("x", "y");
        assertThat(plain.get("x").toLongArray()).containsExactly(0, 1, 2, 3, 4);
        assertThat(Npy.loadNpz(dir.resolve("packed.npz")).get("z").getFlatDouble(99))
                .isEqualTo(1.0);
    }

    @Test
    void numpyReads_javaFiles_everyDtype_bothByteOrders() throws Exception {
        for (String k : KINDS) {
            DType t = dtypeOf(k);
            for (ByteOrder order : new ByteOrder[] {ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN}) {
                NdArray a = NdArray.of(t, order, MemorySegment.ofArray(new byte[24 * t.itemSize()]), 2, 3, 4);
                for (int i = 0; i < 24; i++) {
                    a.setFlatDouble(i, t == DType.BOOL ? i % 2 : i);
                }
                Npy.save(
                        dir.resolve("j" + k.replace("?", "b") + (order == ByteOrder.BIG_ENDIAN ? "be" : "le") + ".npy"),
                        a);
            }
        }
        Map<String, NdArray> npz = new LinkedHashMap<>();
        npz.put("a", NdArray.wrap(new double[] {1, 2, 3}));
        npz.put("b", NdArray.wrap(new int[] {4, 5, 6, 7}, 2, 2));
        Npy.saveNpz(dir.resolve("j.npz"), npz);
        Npy.saveNpz(dir.resolve("jc.npz"), npz, true);
        python("""
                import numpy as np
                kinds = %s
                for k in kinds:
                    for e in ['le', 'be']:
                        a = np.load('j' + k.replace('?', 'b') + e + '.npy')
                        exp = (np.arange(24) %% 2 == 1) if k == '?' else np.arange(24)
                        assert a.shape == (2, 3, 4), a.shape
                        want = np.dtype('?') if k == '?' else np.dtype(('<' if e == 'le' else '>') + k)
                        assert a.dtype == want, (k, e, a.dtype, want)
                        assert (a.ravel() == exp).all(), (k, e, a)
                        with open('j' + k.replace('?', 'b') + e + '.npy', 'rb') as f:
                            f.seek(0, 0)
                            head = f.read(10)
                        hl = head[8] + 256 * head[9]
                        assert (10 + hl) %% 64 == 0, hl
                for name in ['j.npz', 'jc.npz']:
                    z = np.load(name)
                    assert list(z['a']) == [1, 2, 3]
                    assert z['b'].shape == (2, 2) and z['b'][1, 1] == 7
                print('ok')
                """.formatted(pythonList()));
    }

    @Test
    void mapReadWrite_writesSeenByNumpy() throws Exception {
        Path f = dir.resolve("shared.npy");
        NdArray m = Npy.create(f, DType.FLOAT64, 1000);
        m.slice(2, 5).setFlatDouble(1, 7.5);
        m.force();
        python("""
                import numpy as np
                a = np.load('shared.npy', mmap_mode='r')
                assert a[3] == 7.5 and a.sum() == 7.5, a[:6]
                b = np.load('shared.npy', mmap_mode='r+')
                b[10] = -1.0
                b.flush()
                """);
        assertThat(m.getFlatDouble(10)).isEqualTo(-1.0);
    }

    private static String pythonList() {
        StringBuilder sb = new StringBuilder("[");
        for (String k : KINDS) {
            sb.append('\'').append(k).append("', ");
        }
        return sb.append(']').toString();
    }
}
