package io.joblib4j.internal;

import java.io.IOException;
import java.io.InputStream;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.CodeElement;
import java.lang.classfile.CodeModel;
import java.lang.classfile.Instruction;
import java.lang.classfile.Label;
import java.lang.classfile.MethodModel;
import java.lang.classfile.instruction.BranchInstruction;
import java.lang.classfile.instruction.ConstantInstruction;
import java.lang.classfile.instruction.ExceptionCatch;
import java.lang.classfile.instruction.FieldInstruction;
import java.lang.classfile.instruction.IncrementInstruction;
import java.lang.classfile.instruction.InvokeDynamicInstruction;
import java.lang.classfile.instruction.InvokeInstruction;
import java.lang.classfile.instruction.LabelTarget;
import java.lang.classfile.instruction.LoadInstruction;
import java.lang.classfile.instruction.LookupSwitchInstruction;
import java.lang.classfile.instruction.NewMultiArrayInstruction;
import java.lang.classfile.instruction.NewObjectInstruction;
import java.lang.classfile.instruction.NewPrimitiveArrayInstruction;
import java.lang.classfile.instruction.NewReferenceArrayInstruction;
import java.lang.classfile.instruction.StoreInstruction;
import java.lang.classfile.instruction.SwitchCase;
import java.lang.classfile.instruction.TableSwitchInstruction;
import java.lang.classfile.instruction.TypeCheckInstruction;
import java.lang.constant.ClassDesc;
import java.lang.constant.ConstantDesc;
import java.lang.constant.DirectMethodHandleDesc;
import java.lang.constant.MethodTypeDesc;
import java.lang.ref.WeakReference;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * The code version of a method: a hash of its bytecode and of the bytecode of every method it reaches in the
 * application's own classes, transitively, read with the JDK's {@code java.lang.classfile} API.
 *
 * <p>What counts as "the application's own classes": classes found by the function's class loader in the same
 * location (class directory or jar) as the function's class, or in any class directory (an exploded build output
 * such as {@code target/classes}). Classes of the JDK and of library jars are not read: their version is part of
 * the deployment, not of the function. joblib4j's own classes are not read either.
 *
 * <p>The hash covers instructions and their symbolic operands (called methods, fields, constants, types, branch
 * structure, exception handlers), not line numbers, local variable names or constant-pool layout, so recompiling
 * unchanged code, reformatting it or editing an unrelated method of the same class keeps the version. A static
 * field read from an application class also brings in that class's static initializer.
 *
 * <p>Not detected: which override a virtual call reaches at run time (the declared target is hashed, not the
 * overrides in subclasses), code reached through reflection, and changes in library jars.
 *
 * <p>Results are computed once per method and class loader and kept for the life of the JVM.
 */
public final class CodeVersions {
    /** At most this many methods are read for one function; beyond it the walk stops (and says so in the record). */
    static final int MAX_METHODS = 5_000;

    private static final Map<Key, CodeVersion> CACHE = new ConcurrentHashMap<>();
    private static final @Nullable String OWN_LOCATION = location(CodeVersions.class);

    private record Key(WeakReference<ClassLoader> loader, int loaderId, String owner, String name, String desc) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k
                    && k.loaderId == loaderId
                    && k.loader.get() == loader.get()
                    && k.owner.equals(owner)
                    && k.name.equals(name)
                    && k.desc.equals(desc);
        }

        @Override
        public int hashCode() {
            return Objects.hash(loaderId, owner, name, desc);
        }
    }

    /**
     * The code version of a method.
     *
     * @param hash    32 hex characters
     * @param methods the methods whose bytecode went into the hash ({@code owner.name descriptor}), root first
     * @param complete false when the walk was cut at {@link #MAX_METHODS} methods
     */
    public record CodeVersion(String hash, List<String> methods, boolean complete) {}

    private CodeVersions() {}

    /**
     * The code version of method {@code name} with JVM descriptor {@code desc} declared in (or inherited by) the
     * class with internal name {@code owner}, as seen by {@code loader}.
     */
    public static CodeVersion of(ClassLoader loader, String owner, String name, String desc) {
        ClassLoader l = loader != null ? loader : ClassLoader.getSystemClassLoader();
        Key key = new Key(new WeakReference<>(l), System.identityHashCode(l), owner, name, desc);
        CodeVersion v = CACHE.get(key);
        if (v == null) {
            v = new Walk(l, owner).run(owner, name, desc);
            CACHE.putIfAbsent(key, v);
        }
        return v;
    }

    private static @Nullable String location(Class<?> c) {
        URL url = c.getClassLoader() == null
                ? null
                : c.getClassLoader().getResource(c.getName().replace('.', '/') + ".class");
        return url == null ? null : location(url, c.getName().replace('.', '/'));
    }

    /** The class directory or jar a class resource comes from; null for the JDK's runtime image. */
    private static @Nullable String location(URL url, String internalName) {
        String s = url.toString();
        if (s.startsWith("jrt:")) {
            return null;
        }
        if (s.startsWith("jar:")) {
            int bang = s.indexOf("!/");
            return bang < 0 ? s : s.substring(4, bang);
        }
        String suffix = internalName + ".class";
        return s.endsWith(suffix) ? s.substring(0, s.length() - suffix.length()) : s;
    }

    private static boolean isJdkName(String internalName) {
        return internalName.startsWith("java/")
                || internalName.startsWith("javax/")
                || internalName.startsWith("jdk/")
                || internalName.startsWith("sun/")
                || internalName.startsWith("com/sun/")
                || internalName.startsWith("[");
    }

    private record MethodRef(String owner, String name, String desc) implements Comparable<MethodRef> {
        @Override
        public String toString() {
            return owner.replace('/', '.') + "." + name + " " + desc;
        }

        @Override
        public int compareTo(MethodRef o) {
            return toString().compareTo(o.toString());
        }
    }

    /** One traversal: reads classes on demand, canonicalises each reached method, hashes them all. */
    private static final class Walk {
        private final ClassLoader loader;
        private final @Nullable String rootLocation;
        private final Map<String, ClassModel> classes = new HashMap<>();
        private final Map<String, Boolean> application = new HashMap<>();

        Walk(ClassLoader loader, String rootOwner) {
            this.loader = loader;
            URL url = isJdkName(rootOwner) ? null : loader.getResource(rootOwner + ".class");
            this.rootLocation = url == null ? null : location(url, rootOwner);
        }

        boolean isApplication(String internalName) {
            if (isJdkName(internalName)) {
                return false;
            }
            return application.computeIfAbsent(internalName, n -> {
                URL url = loader.getResource(n + ".class");
                if (url == null) {
                    return false;
                }
                String loc = location(url, n);
                if (loc == null || loc.equals(OWN_LOCATION)) {
                    return false;
                }
                if (loc.equals(rootLocation)) {
                    return true;
                }
                return loc.startsWith("file:") && loc.endsWith("/");
            });
        }

        @Nullable
        ClassModel model(String internalName) {
            if (!isApplication(internalName)) {
                return null;
            }
            if (classes.containsKey(internalName)) {
                return classes.get(internalName);
            }
            ClassModel model = null;
            try (InputStream in = loader.getResourceAsStream(internalName + ".class")) {
                if (in != null) {
                    model = ClassFile.of().parse(in.readAllBytes());
                }
            } catch (IOException | IllegalArgumentException e) {
                model = null;
            }
            classes.put(internalName, model);
            return model;
        }

        /** The method as declared in {@code owner} or its nearest application superclass/interface, or null. */
        private @Nullable MethodModel resolve(MethodRef ref, Set<String> seen) {
            ClassModel cm = model(ref.owner);
            if (cm == null || !seen.add(ref.owner)) {
                return null;
            }
            for (MethodModel mm : cm.methods()) {
                if (mm.methodName().equalsString(ref.name) && mm.methodType().equalsString(ref.desc)) {
                    return mm;
                }
            }
            if (ref.name.equals("<init>") || ref.name.equals("<clinit>")) {
                return null;
            }
            if (cm.superclass().isPresent()) {
                MethodModel m =
                        resolve(new MethodRef(cm.superclass().get().asInternalName(), ref.name, ref.desc), seen);
                if (m != null) {
                    return m;
                }
            }
            for (var itf : cm.interfaces()) {
                MethodModel m = resolve(new MethodRef(itf.asInternalName(), ref.name, ref.desc), seen);
                if (m != null) {
                    return m;
                }
            }
            return null;
        }

        CodeVersion run(String owner, String name, String desc) {
            MethodRef root = new MethodRef(owner, name, desc);
            Map<MethodRef, String> texts = new TreeMap<>();
            List<String> order = new ArrayList<>();
            Deque<MethodRef> queue = new ArrayDeque<>();
            Set<MethodRef> queued = new HashSet<>();
            queue.add(root);
            queued.add(root);
            boolean complete = true;
            while (!queue.isEmpty()) {
                if (texts.size() >= MAX_METHODS) {
                    complete = false;
                    break;
                }
                MethodRef ref = queue.poll();
                MethodModel mm = resolve(ref, new HashSet<>());
                if (mm == null) {
                    // Not application code (JDK, library) or not found: the reference itself is in the caller's text.
                    if (ref.equals(root)) {
                        texts.put(ref, "external " + ref);
                        order.add(ref.toString());
                    }
                    continue;
                }
                String declaring =
                        mm.parent().map(c -> c.thisClass().asInternalName()).orElse(ref.owner);
                MethodRef declared = new MethodRef(declaring, ref.name, ref.desc);
                if (!declared.equals(ref) && texts.containsKey(declared)) {
                    continue;
                }
                List<MethodRef> callees = new ArrayList<>();
                texts.put(declared, canonical(declared, mm, callees));
                order.add(declared.toString());
                for (MethodRef c : callees) {
                    if (queued.add(c)) {
                        queue.add(c);
                    }
                }
            }
            MessageDigest md = sha256();
            for (Map.Entry<MethodRef, String> e : texts.entrySet()) {
                md.update(e.getValue().getBytes(StandardCharsets.UTF_8));
                md.update((byte) 0);
            }
            return new CodeVersion(HexFormatHolder.hex(md.digest(), 16), Collections.unmodifiableList(order), complete);
        }

        /** The method's instructions in a stable textual form; adds the application methods it reaches to {@code out}. */
        private String canonical(MethodRef ref, MethodModel mm, List<MethodRef> out) {
            StringBuilder sb = new StringBuilder(256);
            sb.append(ref).append(" flags=").append(mm.flags().flagsMask()).append('\n');
            CodeModel code = mm.code().orElse(null);
            if (code == null) {
                return sb.append("no code\n").toString();
            }
            Map<Label, Integer> labels = new HashMap<>();
            for (CodeElement e : code) {
                switch (e) {
                    case LabelTarget t ->
                        sb.append('L').append(label(labels, t.label())).append(":\n");
                    case ExceptionCatch c ->
                        sb.append("catch ")
                                .append(c.catchType()
                                        .map(x -> x.asInternalName())
                                        .orElse("*"))
                                .append(" L")
                                .append(label(labels, c.tryStart()))
                                .append("-L")
                                .append(label(labels, c.tryEnd()))
                                .append(" -> L")
                                .append(label(labels, c.handler()))
                                .append('\n');
                    case Instruction i -> {
                        sb.append(i.opcode().name());
                        operands(sb, i, labels, out);
                        sb.append('\n');
                    }
                    default -> {} // line numbers, local variable names, stack maps: not part of the behaviour
                }
            }
            return sb.toString();
        }

        private void operands(StringBuilder sb, Instruction i, Map<Label, Integer> labels, List<MethodRef> out) {
            switch (i) {
                case InvokeInstruction inv -> {
                    String owner = inv.owner().asInternalName();
                    String name = inv.name().stringValue();
                    String desc = inv.type().stringValue();
                    sb.append(' ').append(owner).append('.').append(name).append(desc);
                    if (isApplication(owner)) {
                        out.add(new MethodRef(owner, name, desc));
                    }
                }
                case InvokeDynamicInstruction indy -> {
                    sb.append(' ')
                            .append(indy.name().stringValue())
                            .append(indy.type().stringValue());
                    sb.append(" bsm=").append(handle(indy.bootstrapMethod(), out));
                    for (ConstantDesc arg : indy.bootstrapArgs()) {
                        sb.append(' ').append(constant(arg, out));
                    }
                }
                case FieldInstruction f -> {
                    String owner = f.owner().asInternalName();
                    sb.append(' ')
                            .append(owner)
                            .append('.')
                            .append(f.name().stringValue())
                            .append(':')
                            .append(f.type().stringValue());
                    if (isApplication(owner) && f.opcode().name().endsWith("STATIC")) {
                        out.add(new MethodRef(owner, "<clinit>", "()V"));
                    }
                }
                case ConstantInstruction c -> sb.append(' ').append(constant(c.constantValue(), out));
                case BranchInstruction b -> sb.append(" L").append(label(labels, b.target()));
                case TableSwitchInstruction t -> {
                    sb.append(" default L").append(label(labels, t.defaultTarget()));
                    for (SwitchCase c : t.cases()) {
                        sb.append(' ').append(c.caseValue()).append(":L").append(label(labels, c.target()));
                    }
                }
                case LookupSwitchInstruction t -> {
                    sb.append(" default L").append(label(labels, t.defaultTarget()));
                    for (SwitchCase c : t.cases()) {
                        sb.append(' ').append(c.caseValue()).append(":L").append(label(labels, c.target()));
                    }
                }
                case LoadInstruction l -> sb.append(' ').append(l.slot());
                case StoreInstruction s -> sb.append(' ').append(s.slot());
                case IncrementInstruction inc ->
                    sb.append(' ').append(inc.slot()).append(' ').append(inc.constant());
                case NewObjectInstruction n ->
                    sb.append(' ').append(n.className().asInternalName());
                case NewReferenceArrayInstruction n ->
                    sb.append(' ').append(n.componentType().asInternalName());
                case NewPrimitiveArrayInstruction n -> sb.append(' ').append(n.typeKind());
                case NewMultiArrayInstruction n ->
                    sb.append(' ')
                            .append(n.arrayType().asInternalName())
                            .append(' ')
                            .append(n.dimensions());
                case TypeCheckInstruction t -> sb.append(' ').append(t.type().asInternalName());
                default -> {} // the opcode says it all (arithmetic, stack, return, monitor, array load/store)
            }
        }

        private String handle(DirectMethodHandleDesc h, List<MethodRef> out) {
            String owner = internal(h.owner());
            if (isApplication(owner)) {
                out.add(new MethodRef(owner, h.methodName(), h.lookupDescriptor()));
            }
            return h.kind() + ":" + owner + "." + h.methodName() + h.lookupDescriptor();
        }

        private String constant(ConstantDesc c, List<MethodRef> out) {
            return switch (c) {
                case String s -> '"' + s + '"';
                case ClassDesc cd -> "class " + cd.descriptorString();
                case MethodTypeDesc mt -> "mtype " + mt.descriptorString();
                case DirectMethodHandleDesc h -> "handle " + handle(h, out);
                default -> c.getClass().getSimpleName() + " " + c;
            };
        }

        private static String internal(ClassDesc cd) {
            String d = cd.descriptorString();
            return d.startsWith("L") && d.endsWith(";") ? d.substring(1, d.length() - 1) : d;
        }

        private static int label(Map<Label, Integer> labels, Label l) {
            return labels.computeIfAbsent(l, k -> labels.size());
        }
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available in this JVM", e);
        }
    }

    private static final class HexFormatHolder {
        static String hex(byte[] digest, int bytes) {
            return java.util.HexFormat.of().formatHex(digest, 0, bytes);
        }
    }
}
