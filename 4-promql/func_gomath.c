/*
 * Elementary functions computed the way Prometheus 2.42 computes them: the
 * Debian promtool/prometheus 2.42 binaries are built with Go 1.19 for
 * amd64, whose math package evaluates Exp and Log with its own amd64
 * routines (Shibata's method for Exp, with fused multiply-adds when the CPU
 * has AVX2 and FMA; fdlibm's e_log for Log) and the trigonometric and
 * hyperbolic functions with Cephes' polynomials (S. L. Moshier, freely
 * usable) or the Hart & Cheney coefficients for sinh.  libm's functions are
 * usually more accurate but differ from Go's in the last bit often enough
 * that a recording rule computed by us would not equal Prometheus' output.
 *
 * The constants are those of the algorithms' published sources; every
 * operation below is a separate IEEE double operation in the order Go
 * performs it (this file must not be compiled with floating-point
 * contraction, which -std=c11 turns off in GCC).  Go's Log1p is fdlibm's
 * s_log1p, as is glibc's log1p, which we call.
 */
#include <math.h>
#include <stdint.h>

#include "1-common/bytes.h"
#include "4-promql/eval_func.h"

#define GO_NAN bits_double(0x7FF8000000000001ULL)
#define PI_2 0x1.921fb54442d18p+0      /* pi/2 rounded */
#define PI_4 0x1.921fb54442d18p-1      /* pi/4 rounded */
#define FOUR_OVER_PI 0x1.45f306dc9c883p+0 /* 4/pi rounded */

static bool have_fma(void)
{
	/* Go: useFMA = cpu.X86.HasAVX2 && cpu.X86.HasFMA */
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
	static int cached = -1;
	if (cached < 0)
		cached = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
	return cached;
#else
	return false;
#endif
}

/* Go 1.19 amd64 math.Exp. */
double go_exp(double x)
{
	static const double ln2u = 0.69314718055966295651160180568695068359375;
	static const double ln2l = 0.28235290563031577122588448175013436025525412068e-12;
	static const double log2e = 1.4426950408889634073599246810018920;
	/* 1/n! for n = 8 .. 2, then 1/2 and 1 */
	static const double c8 = 2.4801587301587301587e-5, c7 = 1.9841269841269841270e-4,
			    c6 = 1.3888888888888888889e-3, c5 = 8.3333333333333333333e-3,
			    c4 = 4.1666666666666666667e-2, c3 = 1.6666666666666666667e-1;
	uint64_t u = double_bits(x);
	double k, r, p;
	int32_t e;
	int64_t be;

	if ((u & ~(1ULL << 63)) >= 0x7FF0000000000000ULL)
		return u == 0xFFF0000000000000ULL ? 0 : x; /* -Inf -> 0; NaN, +Inf -> x */
	if (x > 7.09782712893384e+02)
		return INFINITY;
	{
		/* CVTSD2SL: round to nearest even, out of range -> INT32_MIN */
		double t = log2e * x;
		double rt = nearbyint(t);
		e = (rt >= 2147483648.0 || rt < -2147483648.0) ? INT32_MIN : (int32_t)rt;
	}
	k = (double)e;
	if (have_fma()) {
		r = fma(-k, ln2u, x);
		r = fma(-k, ln2l, r);
		r *= 0.0625;
		p = fma(c8, r, c7);
		p = fma(p, r, c6);
		p = fma(p, r, c5);
		p = fma(p, r, c4);
		p = fma(p, r, c3);
		p = fma(p, r, 0.5);
		p = fma(p, r, 1.0);
		r = r * p;
		r = r * (r + 2.0);
		r = r * (r + 2.0);
		r = r * (r + 2.0);
		r = fma(r, r + 2.0, 1.0);
	} else {
		r = x - k * ln2u;
		r = r - k * ln2l;
		r *= 0.0625;
		p = c8 * r + c7;
		p = p * r + c6;
		p = p * r + c5;
		p = p * r + c4;
		p = p * r + c3;
		p = p * r + 0.5;
		p = p * r + 1.0;
		r = r * p;
		r = r * (r + 2.0);
		r = r * (r + 2.0);
		r = r * (r + 2.0);
		r = r * (r + 2.0);
		r = r + 1.0;
	}
	be = (int64_t)e + 0x3FF;
	if (be <= 0)
		return 0;
	if (be >= 0x7FF)
		return INFINITY;
	return r * bits_double((uint64_t)be << 52);
}

/* Go 1.19 amd64 math.Log (fdlibm's e_log). */
double go_log(double x)
{
	static const double hsqrt2 = 7.07106781186547524401e-01, ln2hi = 6.93147180369123816490e-01,
			    ln2lo = 1.90821492927058770002e-10, L1 = 6.666666666666735130e-01,
			    L2 = 3.999999999940941908e-01, L3 = 2.857142874366239149e-01,
			    L4 = 2.222219843214978396e-01, L5 = 1.818357216161805012e-01,
			    L6 = 1.531383769920937332e-01, L7 = 1.479819860511658591e-01;
	uint64_t u = double_bits(x);
	double f1, k, f, s, s2, s4, t1, t2, R, hfsq;

	if ((u & ~(1ULL << 63)) == 0)
		return -INFINITY;
	if ((int64_t)u < 0)
		return GO_NAN;
	if (u >= 0x7FF0000000000000ULL)
		return x;
	/* frexp from the bits (as the assembly does, subnormals included) */
	f1 = bits_double((u & 0x000FFFFFFFFFFFFFULL) | 0x3FE0000000000000ULL);
	k = (double)((int)((u >> 52) & 0x7FF) - 0x3FE);
	if (!(hsqrt2 < f1)) {
		k -= 1;
		f1 *= 2;
	}
	f = f1 - 1;
	s = f / (2 + f);
	s2 = s * s;
	s4 = s2 * s2;
	t1 = s2 * (((L7 * s4 + L5) * s4 + L3) * s4 + L1);
	t2 = s4 * ((L6 * s4 + L4) * s4 + L2);
	R = t1 + t2;
	hfsq = 0.5 * f * f;
	return k * ln2hi - ((hfsq - (s * (R + hfsq) + k * ln2lo)) - f);
}

double go_log10(double x)
{
	return go_log(x) * 0x1.bcb7b1526e50ep-2; /* 1/ln(10) rounded */
}

double go_log2(double x)
{
	int e;
	double frac = frexp(x, &e);

	if (frac == 0.5)
		return (double)(e - 1);
	return go_log(frac) * 0x1.71547652b82fep+0 /* 1/ln(2) rounded */ + (double)e;
}

/* Cephes sin/cos polynomials on the reduced argument. */
static double sin_poly(double z, double zz)
{
	return z + z * zz * ((((((1.58962301576546568060e-10 * zz) + -2.50507477628578072866e-8) * zz +
				  2.75573136213857245213e-6) * zz + -1.98412698295895385996e-4) * zz +
			       8.33333333332211858878e-3) * zz + -1.66666666666666307295e-1);
}

static double cos_poly(double zz)
{
	return 1.0 - 0.5 * zz + zz * zz * ((((((-1.13585365213876817300e-11 * zz) + 2.08757008419747316778e-9) * zz +
					       -2.75573141792967388112e-7) * zz + 2.48015872888517045348e-5) * zz +
					     -1.38888888888730564116e-3) * zz + 4.16666666666665929218e-2);
}

/* Cody-Waite reduction by pi/4 in three parts; *j gets the octant. */
static double trig_reduce(double x, uint64_t *j)
{
	static const double pa = 7.85398125648498535156e-1, pb = 3.77489470793079817668e-8,
			    pc = 2.69515142907905952645e-15;
	double y;

	*j = (uint64_t)(x * FOUR_OVER_PI);
	y = (double)*j;
	if (*j & 1) {
		(*j)++;
		y++;
	}
	return ((x - y * pa) - y * pb) - y * pc;
}

#define REDUCE_THRESHOLD 536870912.0 /* 1 << 29 */

/* 4/pi in binary, 64 bits per word after the leading 1 (1217 bits). */
static const uint64_t four_over_pi[] = {
	0x0000000000000001ULL, 0x45f306dc9c882a53ULL, 0xf84eafa3ea69bb81ULL, 0xb6c52b3278872083ULL,
	0xfca2c757bd778ac3ULL, 0x6e48dc74849ba5c0ULL, 0x0c925dd413a32439ULL, 0xfc3bd63962534e7dULL,
	0xd1046bea5d768909ULL, 0xd338e04d68befc82ULL, 0x7323ac7306a673e9ULL, 0x3908bf177bf25076ULL,
	0x3ff12fffbc0b301fULL, 0xde5e2316b414da3eULL, 0xda6cfd9e4f96136eULL, 0x9e8c7ecd3cbfd45aULL,
	0xea4f758fd7cbe2f6ULL, 0x7a0e73ef14a525d4ULL, 0xd7f6bf623f1aba10ULL, 0xac06608df8f6d757ULL,
};

static uint64_t shl(uint64_t v, unsigned s) { return s >= 64 ? 0 : v << s; }
static uint64_t shr(uint64_t v, unsigned s) { return s >= 64 ? 0 : v >> s; }

/*
 * Payne-Hanek reduction of x >= 2^29 by pi/4 (K. C. Ng, "Argument
 * reduction for huge arguments: good to the last bit", 1992), with the
 * 3-word window and 128-bit products Go 1.19 uses: returns the octant and
 * the remainder times pi/4.
 */
static double payne_hanek(double x, uint64_t *j)
{
	uint64_t ix = double_bits(x), z0, z1, z2, hi, lo, e;
	int exp = (int)((ix >> 52) & 0x7FF) - 1023 - 52;
	unsigned digit, sh, lz;
	unsigned __int128 p2, p1;
	double z;

	ix &= ~(0x7FFULL << 52);
	ix |= 1ULL << 52;
	digit = (unsigned)(exp + 61) / 64;
	sh = (unsigned)(exp + 61) % 64;
	z0 = shl(four_over_pi[digit], sh) | shr(four_over_pi[digit + 1], 64 - sh);
	z1 = shl(four_over_pi[digit + 1], sh) | shr(four_over_pi[digit + 2], 64 - sh);
	z2 = shl(four_over_pi[digit + 2], sh) | shr(four_over_pi[digit + 3], 64 - sh);
	p2 = (unsigned __int128)z2 * ix;
	p1 = (unsigned __int128)z1 * ix;
	{
		uint64_t z2hi = (uint64_t)(p2 >> 64), z1hi = (uint64_t)(p1 >> 64), z1lo = (uint64_t)p1;
		uint64_t z0lo = z0 * ix, c;
		lo = z1lo + z2hi;
		c = lo < z1lo;
		hi = z0lo + z1hi + c;
	}
	*j = hi >> 61;
	hi = hi << 3 | lo >> 61;
	lz = (unsigned)__builtin_clzll(hi);
	e = (uint64_t)(1023 - (lz + 1));
	hi = shl(hi, lz + 1) | shr(lo, 64 - (lz + 1));
	hi >>= 64 - 52;
	hi |= e << 52;
	z = bits_double(hi);
	if (*j & 1) {
		(*j)++;
		*j &= 7;
		z--;
	}
	return z * PI_4;
}

double go_sin(double x)
{
	bool sign = false;
	uint64_t j;
	double z, zz, y;

	if (x == 0 || isnan(x))
		return x;
	if (isinf(x))
		return GO_NAN;
	if (x < 0) {
		x = -x;
		sign = true;
	}
	if (x >= REDUCE_THRESHOLD) {
		z = payne_hanek(x, &j);
	} else {
		z = trig_reduce(x, &j);
		j &= 7;
	}
	if (j > 3) {
		sign = !sign;
		j -= 4;
	}
	zz = z * z;
	y = (j == 1 || j == 2) ? cos_poly(zz) : sin_poly(z, zz);
	return sign ? -y : y;
}

double go_cos(double x)
{
	bool sign = false;
	uint64_t j;
	double z, zz, y;

	if (isnan(x) || isinf(x))
		return GO_NAN;
	x = fabs(x);
	if (x >= REDUCE_THRESHOLD) {
		z = payne_hanek(x, &j);
	} else {
		z = trig_reduce(x, &j);
		j &= 7;
	}
	if (j > 3) {
		j -= 4;
		sign = !sign;
	}
	if (j > 1)
		sign = !sign;
	zz = z * z;
	y = (j == 1 || j == 2) ? sin_poly(z, zz) : cos_poly(zz);
	return sign ? -y : y;
}

double go_tan(double x)
{
	bool sign = false;
	uint64_t j;
	double z, zz, y;

	if (x == 0 || isnan(x))
		return x;
	if (isinf(x))
		return GO_NAN;
	if (x < 0) {
		x = -x;
		sign = true;
	}
	if (x >= REDUCE_THRESHOLD)
		z = payne_hanek(x, &j);
	else
		z = trig_reduce(x, &j);
	zz = z * z;
	if (zz > 1e-14)
		y = z + z * (zz * ((-1.30936939181383777646e4 * zz + 1.15351664838587416140e6) * zz +
				   -1.79565251976484877988e7) /
			     ((((zz + 1.36812963470692954678e4) * zz + -1.32089234440210967447e6) * zz +
			       2.50083801823357915839e7) * zz + -5.38695755929454629881e7));
	else
		y = z;
	if (j & 2)
		y = -1 / y;
	return sign ? -y : y;
}

/* Cephes atan on [0, 0.66]. */
static double xatan(double x)
{
	double z = x * x;

	z = z * ((((-8.750608600031904122785e-01 * z + -1.615753718733365076637e+01) * z +
		   -7.500855792314704667340e+01) * z + -1.228866684490136173410e+02) * z +
		 -6.485021904942025371773e+01) /
	    (((((z + 2.485846490142306297962e+01) * z + 1.650270098316988542046e+02) * z +
	       4.328810604912902668951e+02) * z + 4.853903996359136964868e+02) * z +
	     1.945506571482613964425e+02);
	return x * z + x;
}

/* Reduces a positive argument to [0, 0.66] for xatan. */
static double satan(double x)
{
	static const double morebits = 6.123233995736765886130e-17; /* pi/2 - PI_2 */

	if (x <= 0.66)
		return xatan(x);
	if (x > 2.41421356237309504880) /* tan(3pi/8) */
		return PI_2 - xatan(1 / x) + morebits;
	return PI_4 + xatan((x - 1) / (x + 1)) + 0.5 * morebits;
}

double go_atan(double x)
{
	if (x == 0)
		return x;
	return x > 0 ? satan(x) : -satan(-x);
}

double go_asin(double x)
{
	bool sign = false;
	double t;

	if (x == 0)
		return x;
	if (x < 0) {
		x = -x;
		sign = true;
	}
	if (x > 1)
		return GO_NAN;
	t = sqrt(1 - x * x);
	t = x > 0.7 ? PI_2 - satan(t / x) : satan(x / t);
	return sign ? -t : t;
}

double go_acos(double x)
{
	return PI_2 - go_asin(x);
}

double go_atan2(double y, double x)
{
	double q;

	if (isnan(y) || isnan(x))
		return GO_NAN;
	if (y == 0) {
		if (x >= 0 && !signbit(x))
			return copysign(0, y);
		return copysign(M_PI, y);
	}
	if (x == 0)
		return copysign(PI_2, y);
	if (isinf(x)) {
		if (x > 0)
			return isinf(y) ? copysign(PI_4, y) : copysign(0, y);
		return isinf(y) ? copysign(0x1.2d97c7f3321d2p+1 /* 3pi/4 */, y) : copysign(M_PI, y);
	}
	if (isinf(y))
		return copysign(PI_2, y);
	q = go_atan(y / x);
	if (x < 0)
		return q <= 0 ? q + M_PI : q - M_PI;
	return q;
}

double go_sinh(double x)
{
	bool sign = false;
	double t;

	if (x < 0) {
		x = -x;
		sign = true;
	}
	if (x > 21) {
		t = go_exp(x) / 2;
	} else if (x > 0.5) {
		t = (go_exp(x) - go_exp(-x)) / 2;
	} else {
		/* Hart & Cheney #2029 */
		double sq = x * x;
		t = (((-0.2630563213397497062819489e+2 * sq + -0.2894211355989563807284660366e+4) * sq +
		      -0.8991272022039509355398013511e+5) * sq + -0.6307673640497716991184787251e+6) * x;
		t = t / (((sq + -0.173678953558233699533450911e+3) * sq + 0.1521517378790019070696485176e+5) * sq +
			 -0.6307673640497716991212077277e+6);
	}
	return sign ? -t : t;
}

double go_cosh(double x)
{
	double ex;

	x = fabs(x);
	if (x > 21)
		return go_exp(x) / 2;
	ex = go_exp(x);
	return (ex + 1 / ex) / 2;
}

double go_tanh(double x)
{
	double z = fabs(x), s;

	if (z > 0.5 * 8.8029691931113054295988e+01) /* 0.5 * log(2^127) */
		return x < 0 ? -1 : 1;
	if (z >= 0.625) {
		s = go_exp(2 * z);
		z = 1 - 2 / (s + 1);
		return x < 0 ? -z : z;
	}
	if (x == 0)
		return x;
	s = x * x;
	return x + x * s * ((-9.64399179425052238628E-1 * s + -9.92877231001918586564E1) * s +
			    -1.61468768441708447952E3) /
		       (((s + 1.12811678491632931402E2) * s + 2.23548839060100448583E3) * s + 4.84406305325125486048E3);
}

static bool is_odd_int(double x)
{
	double xi, xf = modf(x, &xi);
	return xf == 0 && (go_f2i(xi) & 1) == 1;
}

/* Go 1.19 math.Pow: special cases, then x^yf via Exp(yf*Log(x)) times
 * x^yi by repeated squaring of frexp's fraction. */
double go_pow(double x, double y)
{
	double yi, yf, a1, x1;
	int ae = 0, xe;

	if (y == 0 || x == 1)
		return 1;
	if (isnan(x) || isnan(y))
		return GO_NAN;
	if (x == 0) {
		if (y < 0)
			return is_odd_int(y) ? copysign(INFINITY, x) : INFINITY;
		if (y > 0)
			return is_odd_int(y) ? x : 0;
	}
	if (isinf(y)) {
		if (x == -1)
			return 1;
		if ((fabs(x) < 1) == (y > 0))
			return 0;
		return INFINITY;
	}
	if (isinf(x)) {
		if (x < 0)
			return go_pow(1 / x, -y);
		if (y < 0)
			return 0;
		if (y > 0)
			return INFINITY;
	}
	if (y == 0.5)
		return sqrt(x);
	if (y == -0.5)
		return 1 / sqrt(x);
	yf = modf(fabs(y), &yi);
	if (yf != 0 && x < 0)
		return GO_NAN;
	if (yi >= 9223372036854775808.0) {
		if (x == -1)
			return 1;
		if ((fabs(x) < 1) == (y > 0))
			return 0;
		return INFINITY;
	}
	a1 = 1.0;
	if (yf != 0) {
		if (yf > 0.5) {
			yf--;
			yi++;
		}
		a1 = go_exp(yf * go_log(x));
	}
	x1 = frexp(x, &xe);
	for (int64_t i = (int64_t)yi; i != 0; i >>= 1) {
		if (xe < -(1 << 12) || (1 << 12) < xe) {
			ae += xe;
			break;
		}
		if (i & 1) {
			a1 *= x1;
			ae += xe;
		}
		x1 *= x1;
		xe *= 2;
		if (x1 < .5) {
			x1 += x1;
			xe--;
		}
	}
	if (y < 0) {
		a1 = 1 / a1;
		ae = -ae;
	}
	return ldexp(a1, ae);
}

/* fdlibm's s_asinh, e_acosh and e_atanh as Go writes them. */
#define LN2 6.93147180559945286227e-01
#define TWO28 268435456.0

double go_asinh(double x)
{
	bool sign = false;
	double t;

	if (isnan(x) || isinf(x))
		return x;
	if (x < 0) {
		x = -x;
		sign = true;
	}
	if (x > TWO28)
		t = go_log(x) + LN2;
	else if (x > 2)
		t = go_log(2 * x + 1 / (sqrt(x * x + 1) + x));
	else if (x < 1 / TWO28)
		t = x;
	else
		t = log1p(x + x * x / (1 + sqrt(1 + x * x)));
	return sign ? -t : t;
}

double go_acosh(double x)
{
	double t;

	if (x < 1 || isnan(x))
		return GO_NAN;
	if (x == 1)
		return 0;
	if (x >= TWO28)
		return go_log(x) + LN2;
	if (x > 2)
		return go_log(2 * x - 1 / (x + sqrt(x * x - 1)));
	t = x - 1;
	return log1p(t + sqrt(2 * t + t * t));
}

double go_atanh(double x)
{
	bool sign = false;
	double t;

	if (x < -1 || x > 1 || isnan(x))
		return GO_NAN;
	if (x == 1)
		return INFINITY;
	if (x == -1)
		return -INFINITY;
	if (x < 0) {
		x = -x;
		sign = true;
	}
	if (x < 1 / TWO28) {
		t = x;
	} else if (x < 0.5) {
		t = x + x;
		t = 0.5 * log1p(t + t * x / (1 - x));
	} else {
		t = 0.5 * log1p((x + x) / (1 - x));
	}
	return sign ? -t : t;
}
