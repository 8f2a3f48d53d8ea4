package io.joblib4j.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CpuCountTest {
    @TempDir
    Path root;

    private void write(String rel, String text) throws IOException {
        Path p = root.resolve(rel);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
    }

    @Test
    void cgroupV2Quota_roundsUp_andCaps() throws IOException {
        write("sys/fs/cgroup/cpu.max", "150000 100000\n");
        assertThat(CpuCount.compute(root, null, 8)).isEqualTo(2);
    }

    @Test
    void cgroupV2Unlimited_isIgnored() throws IOException {
        write("sys/fs/cgroup/cpu.max", "max 100000\n");
        assertThat(CpuCount.compute(root, null, 8)).isEqualTo(8);
    }

    @Test
    void cgroupV1Quota_isUsed() throws IOException {
        write("sys/fs/cgroup/cpu/cpu.cfs_quota_us", "300000\n");
        write("sys/fs/cgroup/cpu/cpu.cfs_period_us", "100000\n");
        assertThat(CpuCount.compute(root, null, 8)).isEqualTo(3);
        write("sys/fs/cgroup/cpu/cpu.cfs_quota_us", "-1\n");
        assertThat(CpuCount.compute(root, null, 8)).isEqualTo(8);
    }

    @Test
    void affinityMask_caps() throws IOException {
        write("proc/self/status", "Name:\tjava\nCpus_allowed_list:\t0-1,4\nMems_allowed:\t1\n");
        assertThat(CpuCount.compute(root, null, 8)).isEqualTo(3);
    }

    @Test
    void envOverride_caps_andBadValuesAreIgnored() {
        assertThat(CpuCount.compute(root, "2", 8)).isEqualTo(2);
        assertThat(CpuCount.compute(root, "many", 8)).isEqualTo(8);
        assertThat(CpuCount.compute(root, "0", 8)).isEqualTo(8);
    }

    @Test
    void cpuList_parsing() {
        assertThat(CpuCount.parseCpuList("0-3,8,10-11")).hasValue(7);
        assertThat(CpuCount.parseCpuList("")).isEmpty();
        assertThat(CpuCount.parseCpuList("x")).isEmpty();
    }

    @Test
    void realMachine_isAtLeastOne() {
        assertThat(CpuCount.get()).isBetween(1, Runtime.getRuntime().availableProcessors());
    }
}
