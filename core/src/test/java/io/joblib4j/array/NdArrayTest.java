package io.joblib4j.array;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.ByteOrder;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NdArrayTest {
    @TempDir
    Path dir;

    @Test
    void wrap_sharesMemoryWithTheJavaArray() {
        double[] d = {1, 2, 3, 4, 5, 6};
        NdArray a = NdArray.wrap(d, 2, 3);
        a.setDouble(9, 1, 2);
        assertThat(d[5]).isEqualTo(9);
        d[0] = -1;
        assertThat(a.getDouble(0, 0)).isEqualTo(-1);
        assertThat(a.dtype()).isEqualTo(DType.FLOAT64);
        assertThat(a.shape()).containsExactly(2, 3);
        assertThat(a.size()).isEqualTo(6);
        assertThat(a.byteSize()).isEqualTo(48);
        assertThat(a.file()).isEmpty();
    }

    @Test
    void wrap_wrongShape_namesBoth() {
        assertThatThrownBy(() -> NdArray.wrap(new double[5], 2, 3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("[2, 3]")
                .hasMessageContaining("5");
    }

    @Test
    void slice_isZeroCopyOnFirstAxis() {
        NdArray a = NdArray.wrap(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, 4, 3);
        NdArray s = a.slice(1, 3);
        assertThat(s.shape()).containsExactly(2, 3);
        assertThat(s.toIntArray()).containsExactly(3, 4, 5, 6, 7, 8);
        s.setLong(-1, 0, 0);
        assertThat(a.getLong(1, 0)).isEqualTo(-1);
        assertThatThrownBy(() -> a.slice(3, 5))
                .isInstanceOf(IndexOutOfBoundsException.class)
                .hasMessageContaining("[3:5]");
    }

    @Test
    void elementAccess_checksIndices() {
        NdArray a = NdArray.zeros(DType.INT16, 2, 2);
        assertThatThrownBy(() -> a.getLong(2, 0)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> a.getLong(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("1 dimensions");
    }

    @Test
    void conversions_andUnsigned() {
        NdArray u8 = NdArray.zeros(DType.UINT8, 3);
        u8.setFlatLong(0, 255);
        assertThat(u8.getFlatLong(0)).isEqualTo(255);
        assertThat(u8.toDoubleArray()).containsExactly(255, 0, 0);
        NdArray u64 = NdArray.zeros(DType.UINT64, 1);
        u64.setFlatLong(0, -1);
        assertThat(u64.getFlatDouble(0)).isEqualTo(1.8446744073709552E19);
        NdArray f = NdArray.wrap(new float[] {1.5f, -2.5f});
        assertThat(f.toLongArray()).containsExactly(1, -2);
        assertThat(NdArray.copyOf(new boolean[] {true, false}).toBooleanArray()).containsExactly(true, false);
        assertThat(NdArray.wrap(new char[] {'a'}).dtype()).isEqualTo(DType.UINT16);
    }

    @Test
    void reshape_keepsMemory() {
        NdArray a = NdArray.wrap(new long[] {1, 2, 3, 4, 5, 6});
        NdArray r = a.reshape(3, 2);
        assertThat(r.getLong(2, 1)).isEqualTo(6);
        assertThatThrownBy(() -> a.reshape(4, 2)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void javaSerialization_copiesContent() throws Exception {
        NdArray a = NdArray.wrap(new double[] {1, 2, 3, 4}, 2, 2);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(a);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            NdArray b = (NdArray) in.readObject();
            assertThat(b).isEqualTo(a);
            assertThat(b.shape()).containsExactly(2, 2);
        }
    }

    @Test
    void mappedRef_remapsTheSameBytes() throws Exception {
        Path f = dir.resolve("m.npy");
        NdArray m = Npy.create(f, DType.INT64, 10, 2);
        NdArray row = m.slice(4, 5);
        NdArray.MappedRef ref = row.mappedRef().orElseThrow();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(ref);
        }
        NdArray.MappedRef back;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            back = (NdArray.MappedRef) in.readObject();
        }
        NdArray other = back.map();
        other.setLong(77, 0, 1);
        assertThat(m.getLong(4, 1)).isEqualTo(77);
        assertThat(other.mmapMode()).contains(MmapMode.READ_WRITE);
        assertThat(NdArray.wrap(new double[1]).mappedRef()).isEmpty();
    }

    @Test
    void byteOrder_isRespected() {
        NdArray be = NdArray.of(
                DType.INT32, ByteOrder.BIG_ENDIAN, java.lang.foreign.MemorySegment.ofArray(new byte[] {0, 0, 1, 0}), 1);
        assertThat(be.getFlatLong(0)).isEqualTo(256);
        NdArray copy = be.copy();
        assertThat(copy.order()).isEqualTo(ByteOrder.nativeOrder());
        assertThat(copy).isEqualTo(be);
    }
}
