package io.joblib4j.parallel;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.Serial;
import java.io.Serializable;
import java.util.Objects;
import java.util.function.IntToDoubleFunction;
import org.jspecify.annotations.Nullable;

/**
 * joblib's {@code pre_dispatch}: how many batches a call dispatches ahead of the consumer. {@code "all"}, or an
 * arithmetic expression over {@code n_jobs} and number literals with {@code + - * / // ( )}, such as
 * {@code "2*n_jobs"} (the default) or {@code "3*n_jobs//2 + 1"}. Parsed once, by {@link #parse(String)}; evaluated
 * for each call's worker count. Immutable and serializable (it travels with a call's configuration).
 *
 * <pre>{@code
 * Parallel.builder().preDispatch(PreDispatch.parse("3*n_jobs")) // or .preDispatch("3*n_jobs")
 * }</pre>
 */
public final class PreDispatch implements Serializable {
    @Serial
    private static final long serialVersionUID = 1L;

    /** The value of {@code "all"}: no limit. */
    static final int ALL = Integer.MAX_VALUE;

    private static final PreDispatch DEFAULT = parse("2*n_jobs");

    private final String expression;
    private transient IntToDoubleFunction compiled;

    private PreDispatch(String expression, IntToDoubleFunction compiled) {
        this.expression = expression;
        this.compiled = compiled;
    }

    /** {@code "2*n_jobs"}, joblib's default. */
    public static PreDispatch defaults() {
        return DEFAULT;
    }

    /** {@code "all"}: every batch is dispatched at once. */
    public static PreDispatch all() {
        return parse("all");
    }

    /**
     * A fixed number of batches, whatever the worker count.
     *
     * @throws IllegalArgumentException if {@code batches < 1}
     */
    public static PreDispatch batches(int batches) {
        if (batches < 1) {
            throw new IllegalArgumentException("preDispatch must be at least 1, got " + batches);
        }
        return parse(Integer.toString(batches));
    }

    /**
     * Parses joblib's string form.
     *
     * @throws IllegalArgumentException quoting the expression and the position of the error, for an invalid one
     */
    public static PreDispatch parse(String expression) {
        if (expression == null) {
            throw new IllegalArgumentException(
                    "preDispatch must not be null; use \"all\", a count or an expression such as \"2*n_jobs\"");
        }
        String e = expression.strip();
        if (e.equals("all")) {
            return new PreDispatch(e, Node.number(ALL));
        }
        Parser p = new Parser(e, expression);
        IntToDoubleFunction f = p.expr();
        p.skipSpace();
        if (p.pos != e.length()) {
            throw p.error("unexpected '" + e.charAt(p.pos) + "'");
        }
        PreDispatch result = new PreDispatch(e, f);
        result.evaluate(1); // a constant division by zero or overflow fails here, at parse time
        return result;
    }

    /** The expression, as given (without surrounding spaces). */
    public String expression() {
        return expression;
    }

    /** The number of batches for {@code nJobs} workers: at least 1; {@link #ALL} for {@code "all"}. */
    int evaluate(int nJobs) {
        double v;
        try {
            v = compiled.applyAsDouble(nJobs);
        } catch (ArithmeticException ex) {
            throw new IllegalArgumentException("invalid preDispatch '" + expression + "': " + ex.getMessage(), ex);
        }
        if (v == ALL && expression.equals("all")) {
            return ALL;
        }
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            throw new IllegalArgumentException("invalid preDispatch '" + expression + "': evaluates to " + v);
        }
        return (int) Math.max(1, Math.min(ALL - 1, Math.floor(v)));
    }

    @Serial
    private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
        in.defaultReadObject();
        compiled = parse(expression).compiled;
    }

    @Override
    public boolean equals(@Nullable Object o) {
        return o instanceof PreDispatch p && p.expression.equals(expression);
    }

    @Override
    public int hashCode() {
        return expression.hashCode();
    }

    @Override
    public String toString() {
        return expression;
    }

    /**
     * A node of a parsed expression, a function of {@code n_jobs}: an operator over its operands, {@code n_jobs} itself,
     * or a number. Nodes rather than lambdas: the default expression is parsed on a cold JVM's first call, where each
     * lambda would be linked first.
     */
    private static final class Node implements IntToDoubleFunction {
        /** {@code n_jobs}. */
        static final Node N_JOBS = new Node('n', null, null, 0);

        /** {@code + - * /}, {@code f} (floor division), {@code u} (unary minus), {@code n} (n_jobs), {@code #} (number). */
        private final char op;

        private final @Nullable IntToDoubleFunction a;
        private final @Nullable IntToDoubleFunction b;
        private final double number;

        Node(char op, @Nullable IntToDoubleFunction a, @Nullable IntToDoubleFunction b, double number) {
            this.op = op;
            this.a = a;
            this.b = b;
            this.number = number;
        }

        static Node number(double value) {
            return new Node('#', null, null, value);
        }

        @Override
        public double applyAsDouble(int n) {
            return switch (op) {
                case 'n' -> n;
                case '#' -> number;
                case 'u' -> -operand(a, n);
                case '+' -> operand(a, n) + operand(b, n);
                case '-' -> operand(a, n) - operand(b, n);
                case '*' -> operand(a, n) * operand(b, n);
                default -> { // '/' or 'f'
                    double d = operand(b, n);
                    if (d == 0) {
                        throw new ArithmeticException("division by zero");
                    }
                    double q = operand(a, n) / d;
                    yield op == 'f' ? Math.floor(q) : q;
                }
            };
        }

        private static double operand(@Nullable IntToDoubleFunction f, int n) {
            return Objects.requireNonNull(f, "an operand of a binary node").applyAsDouble(n);
        }
    }

    /** A recursive-descent parser building the expression as a tree of {@link Node}s. */
    private static final class Parser {
        private final String expression;
        private final String original;
        private int pos;

        Parser(String expression, String original) {
            this.expression = expression;
            this.original = original;
        }

        IntToDoubleFunction expr() {
            IntToDoubleFunction v = term();
            while (true) {
                skipSpace();
                if (eat('+')) {
                    v = new Node('+', v, term(), 0);
                } else if (eat('-')) {
                    v = new Node('-', v, term(), 0);
                } else {
                    return v;
                }
            }
        }

        private IntToDoubleFunction term() {
            IntToDoubleFunction v = factor();
            while (true) {
                skipSpace();
                if (eat('*')) {
                    v = new Node('*', v, factor(), 0);
                } else if (eat('/')) {
                    char op = eat('/') ? 'f' : '/';
                    v = new Node(op, v, factor(), 0);
                } else {
                    return v;
                }
            }
        }

        private IntToDoubleFunction factor() {
            skipSpace();
            if (eat('-')) {
                return new Node('u', factor(), Node.N_JOBS, 0);
            }
            if (eat('(')) {
                IntToDoubleFunction v = expr();
                skipSpace();
                if (!eat(')')) {
                    throw error("missing ')'");
                }
                return v;
            }
            if (expression.startsWith("n_jobs", pos)) {
                pos += "n_jobs".length();
                return Node.N_JOBS;
            }
            int start = pos;
            while (pos < expression.length()
                    && (Character.isDigit(expression.charAt(pos)) || expression.charAt(pos) == '.')) {
                pos++;
            }
            if (start == pos) {
                throw error(
                        pos < expression.length() ? "unexpected '" + expression.charAt(pos) + "'" : "unexpected end");
            }
            double literal;
            try {
                literal = Double.parseDouble(expression.substring(start, pos));
            } catch (NumberFormatException e) {
                throw error("bad number '" + expression.substring(start, pos) + "'");
            }
            return Node.number(literal);
        }

        private boolean eat(char c) {
            if (pos < expression.length() && expression.charAt(pos) == c) {
                pos++;
                return true;
            }
            return false;
        }

        void skipSpace() {
            while (pos < expression.length() && Character.isWhitespace(expression.charAt(pos))) {
                pos++;
            }
        }

        IllegalArgumentException error(String what) {
            return new IllegalArgumentException("invalid preDispatch '" + original + "': " + what + " at position "
                    + pos + "; expected \"all\" or arithmetic (+ - * / // parentheses) on n_jobs and numbers, "
                    + "such as \"2*n_jobs\"");
        }
    }
}
