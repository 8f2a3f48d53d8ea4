package io.joblib4j.memory;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** A file-system store that a test subclass changes in one operation (a failing put, a slow disk...). */
abstract class ForwardingStore implements StoreBackend {
    final StoreBackend inner;

    ForwardingStore(Path location) {
        inner = StoreBackend.fileSystem(location);
    }

    @Override
    public String location() {
        return inner.location();
    }

    @Override
    public Path output(String f, String k) throws IOException {
        return inner.output(f, k);
    }

    @Override
    public CacheEntry entry(String f, String k) throws IOException {
        return inner.entry(f, k);
    }

    @Override
    public void touch(String f, String k) throws IOException {
        inner.touch(f, k);
    }

    @Override
    public long put(String f, String k, OutputWriter w, Duration d, Map<String, String> a) throws IOException {
        return inner.put(f, k, w, d, a);
    }

    @Override
    public boolean remove(String f, String k) throws IOException {
        return inner.remove(f, k);
    }

    @Override
    public void clear(String f) throws IOException {
        inner.clear(f);
    }

    @Override
    public void clear() throws IOException {
        inner.clear();
    }

    @Override
    public List<String> functions() throws IOException {
        return inner.functions();
    }

    @Override
    public List<CacheEntry> entries(String f) throws IOException {
        return inner.entries(f);
    }

    @Override
    public String codeRecord(String f) throws IOException {
        return inner.codeRecord(f);
    }

    @Override
    public void writeCodeRecord(String f, String r) throws IOException {
        inner.writeCodeRecord(f, r);
    }
}
