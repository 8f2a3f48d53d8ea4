package io.joblib4j.memory;

import java.nio.file.Path;

/**
 * A separate JVM used by {@link RecentHitTest}: {@code clear DIR} clears the store; {@code replace DIR VALUE} computes
 * {@code RecentHitTest.tagged(1)} again and stores it over the cached entry, with the tag VALUE (the function reads its tag
 * from a system property, so the two JVMs store different results under the same key).
 */
public final class RecentHitChild {
    private RecentHitChild() {}

    public static void main(String[] args) throws Exception {
        Memory memory = Memory.builder().location(Path.of(args[1])).verbose(0).build();
        switch (args[0]) {
            case "clear" -> memory.clear();
            case "replace" -> {
                System.setProperty(RecentHitTest.TAG, args[2]);
                CachedFunction<Integer, String> f = memory.cache(RecentHitTest::tagged);
                System.out.println(f.call(1).output());
            }
            default -> throw new IllegalArgumentException("unknown mode " + args[0]);
        }
        System.out.println("DONE");
    }
}
