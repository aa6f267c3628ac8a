package io.selfinstruct.llama.safetensors;

/**
 * The two 16-bit float formats to and from float32 (Java 17 has no Float.float16ToFloat): IEEE 754 half precision
 * and bfloat16, both rounded to nearest, ties to even, as torch's {@code .to(torch.float16)} and
 * {@code .to(torch.bfloat16)} round.
 */
final class HalfFloat {

    private HalfFloat() {}

    static float toFloat(short half) {
        int bits = half & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exponent = (bits >>> 10) & 0x1f;
        int mantissa = bits & 0x3ff;
        if (exponent == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13));
        }
        if (exponent == 0) {
            if (mantissa == 0) {
                return Float.intBitsToFloat(sign);
            }
            // subnormal half: value = mantissa * 2^-24
            float value = mantissa * 0x1p-24f;
            return sign == 0 ? value : -value;
        }
        return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
    }

    static short fromFloat(float value) {
        int bits = Float.floatToRawIntBits(value);
        int sign = (bits >>> 16) & 0x8000;
        int magnitude = bits & 0x7fffffff;
        if (magnitude >= 0x7f800000) { // infinity stays infinity, NaN becomes the quiet NaN torch writes
            return (short) (sign | (magnitude == 0x7f800000 ? 0x7c00 : 0x7e00));
        }
        if (magnitude >= 0x477ff000) { // 65520 and up round past the largest half, 65504
            return (short) (sign | 0x7c00);
        }
        if (magnitude < 0x38800000) { // below 2^-14: a subnormal half, mantissa * 2^-24 (the product is exact)
            return (short) (sign | (int) Math.rint(Math.abs(value) * 0x1p24f)); // rint: ties to even
        }
        int exponent = (magnitude >>> 23) - 112;
        int mantissa = magnitude & 0x7fffff;
        int half = (exponent << 10) | (mantissa >>> 13);
        int rest = mantissa & 0x1fff;
        if (rest > 0x1000 || (rest == 0x1000 && (half & 1) == 1)) {
            half++; // a carry into the exponent is the correct next value
        }
        return (short) (sign | half);
    }

    /** The top half of the float32, rounded to nearest even (c10's round_to_nearest_even); NaN as 0x7fc0. */
    static short bfloat16(float value) {
        if (Float.isNaN(value)) {
            return (short) 0x7fc0;
        }
        int bits = Float.floatToRawIntBits(value);
        return (short) ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16);
    }
}
