package io.joblib4j.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.joblib4j.SerializableFunction1;
import io.joblib4j.Task;
import io.joblib4j.testing.ByteSearch;
import io.joblib4j.testing.JavaSerialization;
import java.io.ByteArrayOutputStream;
import java.io.Externalizable;
import java.io.IOException;
import java.io.InvalidObjectException;
import java.io.ObjectInput;
import java.io.ObjectOutput;
import java.io.ObjectOutputStream;
import java.io.Serial;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A batch's compact serial form: what it keeps, what it leaves out, and what a corrupt one says. */
class BatchFormTest {

    static int twice(int x) {
        return 2 * x;
    }

    @Test
    void batchOfCalls_roundTrips_withItsIndexAttemptAndItems_withoutItsFieldNames() throws Exception {
        SerializableFunction1<Integer, Integer> f = BatchFormTest::twice;
        Batch batch = Batch.ofCalls(40, f, new Object[] {1, null, 3}, BatchContext.none())
                .withAttempt(3);
        byte[] bytes = JavaSerialization.write(batch);
        assertThat(new String(bytes, StandardCharsets.ISO_8859_1))
                .contains("TaskBatch$Form")
                .doesNotContain("firstIndex");

        Batch back = (Batch) JavaSerialization.read(bytes);
        assertThat(back.firstIndex()).isEqualTo(40);
        assertThat(back.size()).isEqualTo(3);
        assertThat(back.attempt()).isEqualTo(3);
        assertThat(back.call(0)).isEqualTo(2);
        assertThat(back.call(2)).isEqualTo(6);
    }

    @Test
    void batchOfTasks_roundTrips_withNonSimpleItems() throws Exception {
        int captured = 5;
        Task<?>[] tasks = {() -> captured + 1, () -> List.of(captured)};
        Batch back =
                (Batch) JavaSerialization.read(JavaSerialization.write(Batch.ofTasks(7, tasks, BatchContext.none())));
        assertThat(back.firstIndex()).isEqualTo(7);
        assertThat(back.runAll("w").values()).containsExactly(6, List.of(5));
    }

    @Test
    void corruptIndexOrAttempt_failsAsACorruptBatch() throws Exception {
        SerializableFunction1<Integer, Integer> f = BatchFormTest::twice;
        byte[] bytes =
                JavaSerialization.write(Batch.ofCalls(0x0102030405060708L, f, new Object[] {1}, BatchContext.none()));
        int at = ByteSearch.indexOf(bytes, new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        assertThat(at).as("the first index in the stream").isPositive();

        byte[] negativeIndex = bytes.clone();
        negativeIndex[at] = (byte) 0x81;
        assertThatThrownBy(() -> JavaSerialization.read(negativeIndex))
                .isInstanceOf(InvalidObjectException.class)
                .hasMessageContaining("corrupt batch: firstIndex must be at least 0");

        byte[] zeroAttempt = bytes.clone();
        zeroAttempt[at + 11] = 0; // the attempt, 1, follows the index
        assertThatThrownBy(() -> JavaSerialization.read(zeroAttempt))
                .isInstanceOf(InvalidObjectException.class)
                .hasMessageContaining("corrupt batch: attempt must be at least 1, got 0");
    }

    @Test
    void itemThatIsNotATask_inABatchOfTasks_failsAsACorruptBatch() throws Exception {
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(raw)) {
            out.writeObject(new CorruptBatches());
        }
        // the same stream, naming the batch's form (a name of the same length) in place of the writer's class
        String form = TaskBatch.Form.class.getName();
        assertThat(form).hasSameSizeAs(CorruptBatches.class.getName());
        byte[] corrupt = new String(raw.toByteArray(), StandardCharsets.ISO_8859_1)
                .replace(CorruptBatches.class.getName(), form)
                .getBytes(StandardCharsets.ISO_8859_1);
        assertThatThrownBy(() -> JavaSerialization.read(corrupt))
                .isInstanceOf(InvalidObjectException.class)
                .hasMessageContaining("corrupt batch: a java.lang.String where a Task was expected");
    }
}

/** Writes what a batch's form holds, with no function and a string for its one task. */
final class CorruptBatches implements Externalizable {
    @Serial
    private static final long serialVersionUID = 1L;

    public CorruptBatches() {}

    @Override
    public void writeExternal(ObjectOutput out) throws IOException {
        out.writeLong(0);
        out.writeInt(1);
        out.writeObject(null);
        out.writeObject(BatchContext.none());
        out.writeBoolean(false);
        out.writeObject(new Object[] {"not a task"});
    }

    @Override
    public void readExternal(ObjectInput in) {}
}
