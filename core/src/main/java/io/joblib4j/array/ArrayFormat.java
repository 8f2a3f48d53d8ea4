package io.joblib4j.array;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;

/**
 * NumPy's {@code repr} of an array ({@code numpy/_core/arrayprint.py} with its default options: line width 75,
 * precision 8, {@code floatmode="maxprec"}, summarization above 1000 elements with 3 edge items), for
 * {@link NdArray#toString()}. The shape and the dtype are always shown, as NumPy does for summarized arrays.
 */
final class ArrayFormat {
    static final int LINE_WIDTH = 75;
    static final int THRESHOLD = 1000;
    static final int EDGE_ITEMS = 3;
    static final int PRECISION = 8;
    private static final String SEPARATOR = ", ";

    private final long[] shape;
    private final long[] strides;
    private final boolean summarize;
    private final ElementFormat format;

    private ArrayFormat(NdArray a) {
        this.shape = a.shape();
        this.strides = new long[shape.length];
        long stride = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            strides[i] = stride;
            stride *= shape[i];
        }
        this.summarize = a.size() > THRESHOLD;
        List<Long> shown = new ArrayList<>();
        collectShown(0, 0, shown);
        this.format = ElementFormat.of(a, shown);
    }

    /**
     * {@code prefix + NumPy's repr body + extras}: {@code NdArray([[1., 2.], [3., 4.]], shape=(2, 2), dtype=float64)}
     * (on two lines).
     */
    static String repr(NdArray a, String prefix, List<String> extras) {
        String body = a.size() == 0 ? "[]" : new ArrayFormat(a).body(prefix);
        String arr = prefix + body + ",";
        String extra = String.join(", ", extras) + ")";
        int lastLine = arr.length() - (arr.lastIndexOf('\n') + 1);
        String spacer = lastLine + extra.length() + 1 > LINE_WIDTH ? "\n" + " ".repeat(prefix.length()) : " ";
        return arr + spacer + extra;
    }

    /** A shape as Python prints a tuple: {@code ()}, {@code (3,)}, {@code (2, 3)}. */
    static String tuple(long[] shape) {
        if (shape.length == 1) {
            return "(" + shape[0] + ",)";
        }
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            sb.append(i > 0 ? ", " : "").append(shape[i]);
        }
        return sb.append(')').toString();
    }

    /** The flat indices NumPy formats the elements of (all, or the corners of a summarized array). */
    private void collectShown(int axis, long base, List<Long> out) {
        if (axis == shape.length) {
            out.add(base);
            return;
        }
        long n = shape[axis];
        if (summarize && n > 2L * EDGE_ITEMS) {
            for (long i = 0; i < EDGE_ITEMS; i++) {
                collectShown(axis + 1, base + i * strides[axis], out);
            }
            for (long i = n - EDGE_ITEMS; i < n; i++) {
                collectShown(axis + 1, base + i * strides[axis], out);
            }
        } else {
            for (long i = 0; i < n; i++) {
                collectShown(axis + 1, base + i * strides[axis], out);
            }
        }
    }

    private String body(String prefix) {
        String hanging = " ".repeat(prefix.length() + 1);
        return recurse(0, 0, hanging, LINE_WIDTH - 1);
    }

    /** numpy's {@code _formatArray.recurser}. */
    private String recurse(int axis, long base, String hanging, int width) {
        int axesLeft = shape.length - axis;
        if (axesLeft == 0) {
            return format.format(base);
        }
        String nextHanging = hanging + " ";
        int nextWidth = width - 1;
        long len = shape[axis];
        boolean showSummary = summarize && 2L * EDGE_ITEMS < len;
        long leading = showSummary ? EDGE_ITEMS : 0;
        long trailing = showSummary ? EDGE_ITEMS : len;
        StringBuilder s = new StringBuilder();
        if (axesLeft == 1) {
            int elemWidth = width - 1;
            StringBuilder line = new StringBuilder(hanging);
            for (long i = 0; i < leading; i++) {
                line = extend(
                        s,
                        line,
                        recurse(axis + 1, base + i * strides[axis], nextHanging, nextWidth),
                        elemWidth,
                        hanging);
                line.append(SEPARATOR);
            }
            if (showSummary) {
                line = extend(s, line, "...", elemWidth, hanging);
                line.append(SEPARATOR);
            }
            for (long i = trailing; i > 1; i--) {
                line = extend(
                        s,
                        line,
                        recurse(axis + 1, base + (len - i) * strides[axis], nextHanging, nextWidth),
                        elemWidth,
                        hanging);
                line.append(SEPARATOR);
            }
            line = extend(
                    s,
                    line,
                    recurse(axis + 1, base + (len - 1) * strides[axis], nextHanging, nextWidth),
                    elemWidth,
                    hanging);
            s.append(line);
        } else {
            String lineSep = SEPARATOR.stripTrailing() + "\n".repeat(axesLeft - 1);
            for (long i = 0; i < leading; i++) {
                s.append(hanging)
                        .append(recurse(axis + 1, base + i * strides[axis], nextHanging, nextWidth))
                        .append(lineSep);
            }
            if (showSummary) {
                s.append(hanging).append("...").append(lineSep);
            }
            for (long i = trailing; i > 1; i--) {
                s.append(hanging)
                        .append(recurse(axis + 1, base + (len - i) * strides[axis], nextHanging, nextWidth))
                        .append(lineSep);
            }
            s.append(hanging).append(recurse(axis + 1, base + (len - 1) * strides[axis], nextHanging, nextWidth));
        }
        return "[" + s.substring(hanging.length()) + "]";
    }

    /** numpy's {@code _extendLine}: wraps before {@code word} when the line would grow past {@code width}. */
    private static StringBuilder extend(StringBuilder s, StringBuilder line, String word, int width, String hanging) {
        boolean wrap = line.length() + word.length() > width && line.length() > hanging.length();
        if (wrap) {
            s.append(line.toString().stripTrailing()).append('\n');
            line = new StringBuilder(hanging);
        }
        return line.append(word);
    }

    /** How the elements of one array are written, chosen from all the elements shown (NumPy's format functions). */
    private abstract static class ElementFormat {
        abstract String format(long flatIndex);

        static ElementFormat of(NdArray a, List<Long> shown) {
            return switch (a.dtype()) {
                case BOOL ->
                    new ElementFormat() {
                        private final String trueText = a.ndim() == 0 ? "True" : " True";

                        @Override
                        String format(long i) {
                            return a.getFlatLong(i) != 0 ? trueText : "False";
                        }
                    };
                case FLOAT32, FLOAT64 -> new FloatFormat(a, shown);
                default -> new IntegerFormat(a, shown);
            };
        }
    }

    private static final class IntegerFormat extends ElementFormat {
        private final NdArray a;
        private final boolean unsigned64;
        private final int width;

        IntegerFormat(NdArray a, List<Long> shown) {
            this.a = a;
            this.unsigned64 = a.dtype() == DType.UINT64;
            int w = 0;
            for (long i : shown) {
                w = Math.max(w, text(i).length());
            }
            this.width = w;
        }

        private String text(long i) {
            long v = a.getFlatLong(i);
            return unsigned64 ? Long.toUnsignedString(v) : Long.toString(v);
        }

        @Override
        String format(long i) {
            String t = text(i);
            return " ".repeat(Math.max(0, width - t.length())) + t;
        }
    }

    /** numpy's {@code FloatingFormat} with {@code floatmode="maxprec"}, {@code precision=8}, {@code sign="-"}. */
    private static final class FloatFormat extends ElementFormat {
        private final NdArray a;
        private final boolean f32;
        private boolean exp;
        private int padLeft;
        private int padRight;
        private int precision = PRECISION;
        private int expSize = -1;

        FloatFormat(NdArray a, List<Long> shown) {
            this.a = a;
            this.f32 = a.dtype() == DType.FLOAT32;
            List<Double> finite = new ArrayList<>();
            boolean nonFinite = false;
            boolean negInf = false;
            double maxAbs = 0;
            double minAbs = Double.POSITIVE_INFINITY;
            for (long i : shown) {
                double v = a.getFlatDouble(i);
                if (!Double.isFinite(v)) {
                    nonFinite = true;
                    negInf |= v == Double.NEGATIVE_INFINITY;
                    continue;
                }
                finite.add(v);
                if (v != 0) {
                    maxAbs = Math.max(maxAbs, Math.abs(v));
                    minAbs = Math.min(minAbs, Math.abs(v));
                }
            }
            if (maxAbs > 0) {
                double cutoff = f32 ? 1e6 : 1e8; // 10 ** min(8, finfo(dtype).precision)
                exp = maxAbs >= cutoff || minAbs < 0.0001 || maxAbs / minAbs > 1000.;
            }
            if (finite.isEmpty()) {
                padLeft = 0;
                padRight = 0;
            } else if (exp) {
                int maxFrac = 0;
                int maxInt = 0;
                int maxExp = 0;
                for (double v : finite) {
                    String[] p = scientificParts(v, PRECISION, false);
                    maxInt = Math.max(maxInt, p[0].length());
                    maxFrac = Math.max(maxFrac, p[1].length());
                    maxExp = Math.max(maxExp, p[2].length());
                }
                expSize = Math.max(2, maxExp);
                precision = maxFrac;
                padLeft = maxInt;
                padRight = expSize + 2 + precision;
            } else {
                for (double v : finite) {
                    String[] p = positionalParts(v, PRECISION);
                    padLeft = Math.max(padLeft, p[0].length());
                    padRight = Math.max(padRight, p[1].length());
                }
            }
            if (nonFinite) {
                int offset = padRight + 1;
                padLeft = Math.max(padLeft, Math.max(3 - offset, 3 + (negInf ? 1 : 0) - offset));
            }
        }

        @Override
        String format(long i) {
            double v = a.getFlatDouble(i);
            if (!Double.isFinite(v)) {
                String t = Double.isNaN(v) ? "nan" : v < 0 ? "-inf" : "inf";
                return " ".repeat(Math.max(0, padLeft + padRight + 1 - t.length())) + t;
            }
            if (exp) {
                // numpy's min_digits: digits past the shortest unique ones come from the exact value, rounded
                String[] p = scientificParts(v, precision, true);
                String exponent = p[2].length() < expSize ? "0".repeat(expSize - p[2].length()) + p[2] : p[2];
                return pad(p[0], padLeft) + "." + p[1] + "0".repeat(precision - p[1].length()) + "e" + p[3] + exponent;
            }
            String[] p = positionalParts(v, PRECISION);
            return pad(p[0], padLeft) + "." + p[1] + " ".repeat(padRight - p[1].length());
        }

        private static String pad(String s, int width) {
            return " ".repeat(Math.max(0, width - s.length())) + s;
        }

        /** The shortest decimal that reads back as {@code v} in the array's precision, without its sign. */
        private BigDecimal shortest(double v) {
            double abs = Math.abs(v);
            return new BigDecimal(f32 ? Float.toString((float) abs) : Double.toString(abs));
        }

        /** {@code [sign + integer digits, fraction digits]} of {@code v} in positional notation, trailing zeros cut. */
        private String[] positionalParts(double v, int maxFraction) {
            BigDecimal d = shortest(v);
            if (d.scale() > maxFraction) {
                d = new BigDecimal(Math.abs(v)).setScale(maxFraction, RoundingMode.HALF_EVEN);
            }
            d = d.stripTrailingZeros();
            if (d.scale() < 0) {
                d = d.setScale(0);
            }
            String plain = d.toPlainString();
            int dot = plain.indexOf('.');
            String sign = negative(v) ? "-" : "";
            return dot < 0
                    ? new String[] {sign + plain, ""}
                    : new String[] {sign + plain.substring(0, dot), plain.substring(dot + 1)};
        }

        /** {@code [sign + first digit, further digits, exponent digits, exponent sign]} in scientific notation. */
        private String[] scientificParts(double v, int maxFraction, boolean exactDigits) {
            String sign = negative(v) ? "-" : "";
            if (v == 0) {
                return new String[] {sign + "0", "", "0", "+"};
            }
            BigDecimal d = shortest(v);
            if (exactDigits || d.precision() > maxFraction + 1) {
                d = new BigDecimal(Math.abs(v)).round(new MathContext(maxFraction + 1, RoundingMode.HALF_EVEN));
            }
            d = d.stripTrailingZeros();
            String digits = d.unscaledValue().toString();
            int exponent = d.precision() - d.scale() - 1;
            return new String[] {
                sign + digits.charAt(0),
                digits.substring(1),
                Integer.toString(Math.abs(exponent)),
                exponent < 0 ? "-" : "+"
            };
        }

        private static boolean negative(double v) {
            return Double.doubleToRawLongBits(v) < 0;
        }
    }
}
