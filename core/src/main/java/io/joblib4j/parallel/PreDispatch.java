package io.joblib4j.parallel;

/**
 * joblib's {@code pre_dispatch}: {@code "all"}, or an arithmetic expression over {@code n_jobs} and number
 * literals with {@code + - * / // ( )}, such as {@code "2*n_jobs"} or {@code "3*n_jobs//2 + 1"}.
 */
final class PreDispatch {
    /** The value of {@code "all"}: no limit. */
    static final int ALL = Integer.MAX_VALUE;

    private final String expression;
    private int pos;

    private PreDispatch(String expression) {
        this.expression = expression;
    }

    /**
     * Checks an expression.
     *
     * @throws IllegalArgumentException quoting the expression and saying what is allowed
     */
    static void parse(String expression) {
        evaluate(expression, 1);
    }

    /**
     * The number of batches to dispatch ahead for {@code nJobs} workers, at least 1.
     *
     * @throws IllegalArgumentException if the expression is invalid
     */
    static int evaluate(String expression, int nJobs) {
        if (expression == null) {
            throw new IllegalArgumentException(
                    "preDispatch must not be null; use \"all\", a count or an expression " + "such as \"2*n_jobs\"");
        }
        String e = expression.strip();
        if (e.equals("all")) {
            return ALL;
        }
        PreDispatch p = new PreDispatch(e);
        double v;
        try {
            v = p.expr(nJobs);
            p.skipSpace();
            if (p.pos != e.length()) {
                throw p.error("unexpected '" + e.charAt(p.pos) + "'");
            }
        } catch (ArithmeticException ex) {
            throw new IllegalArgumentException("invalid preDispatch '" + expression + "': " + ex.getMessage(), ex);
        }
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            throw new IllegalArgumentException("invalid preDispatch '" + expression + "': evaluates to " + v);
        }
        return (int) Math.max(1, Math.min(ALL - 1, Math.floor(v)));
    }

    private double expr(int n) {
        double v = term(n);
        while (true) {
            skipSpace();
            if (eat('+')) {
                v += term(n);
            } else if (eat('-')) {
                v -= term(n);
            } else {
                return v;
            }
        }
    }

    private double term(int n) {
        double v = factor(n);
        while (true) {
            skipSpace();
            if (eat('*')) {
                v *= factor(n);
            } else if (eat('/')) {
                boolean floor = eat('/');
                double d = factor(n);
                if (d == 0) {
                    throw new ArithmeticException("division by zero");
                }
                v = floor ? Math.floor(v / d) : v / d;
            } else {
                return v;
            }
        }
    }

    private double factor(int n) {
        skipSpace();
        if (eat('-')) {
            return -factor(n);
        }
        if (eat('(')) {
            double v = expr(n);
            skipSpace();
            if (!eat(')')) {
                throw error("missing ')'");
            }
            return v;
        }
        if (expression.startsWith("n_jobs", pos)) {
            pos += "n_jobs".length();
            return n;
        }
        int start = pos;
        while (pos < expression.length()
                && (Character.isDigit(expression.charAt(pos)) || expression.charAt(pos) == '.')) {
            pos++;
        }
        if (start == pos) {
            throw error(pos < expression.length() ? "unexpected '" + expression.charAt(pos) + "'" : "unexpected end");
        }
        try {
            return Double.parseDouble(expression.substring(start, pos));
        } catch (NumberFormatException e) {
            throw error("bad number '" + expression.substring(start, pos) + "'");
        }
    }

    private boolean eat(char c) {
        if (pos < expression.length() && expression.charAt(pos) == c) {
            pos++;
            return true;
        }
        return false;
    }

    private void skipSpace() {
        while (pos < expression.length() && Character.isWhitespace(expression.charAt(pos))) {
            pos++;
        }
    }

    private IllegalArgumentException error(String what) {
        return new IllegalArgumentException("invalid preDispatch '" + expression + "': " + what + " at position " + pos
                + "; expected \"all\" or arithmetic (+ - * / // parentheses) on n_jobs and numbers, "
                + "such as \"2*n_jobs\"");
    }
}
