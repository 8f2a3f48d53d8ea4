package io.joblib4j.parallel;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.Serial;
import java.io.Serializable;
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
            return new PreDispatch(e, n -> ALL);
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

    /** A recursive-descent parser building the expression as nested functions of {@code n_jobs}. */
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
                    IntToDoubleFunction a = v, b = term();
                    v = n -> a.applyAsDouble(n) + b.applyAsDouble(n);
                } else if (eat('-')) {
                    IntToDoubleFunction a = v, b = term();
                    v = n -> a.applyAsDouble(n) - b.applyAsDouble(n);
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
                    IntToDoubleFunction a = v, b = factor();
                    v = n -> a.applyAsDouble(n) * b.applyAsDouble(n);
                } else if (eat('/')) {
                    boolean floor = eat('/');
                    IntToDoubleFunction a = v, b = factor();
                    v = n -> {
                        double d = b.applyAsDouble(n);
                        if (d == 0) {
                            throw new ArithmeticException("division by zero");
                        }
                        double q = a.applyAsDouble(n) / d;
                        return floor ? Math.floor(q) : q;
                    };
                } else {
                    return v;
                }
            }
        }

        private IntToDoubleFunction factor() {
            skipSpace();
            if (eat('-')) {
                IntToDoubleFunction a = factor();
                return n -> -a.applyAsDouble(n);
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
                return n -> n;
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
            return n -> literal;
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
