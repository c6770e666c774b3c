"""Mean and 95% confidence interval of a few seeds' results (Student's t), for scripts/sweep's
aggregated CSV and scripts/plot's error bars. No SciPy: the critical values are tabulated."""

import math

# t(0.975, df) for df = 1..30 (two-sided 95%), from any table of Student's t distribution.
_T975 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
         2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
         2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042]
_Z975 = 1.959964


def t975(df):
    """Two-sided 95% critical value of Student's t with df degrees of freedom (df >= 1)."""
    if df < 1:
        raise ValueError("t975: df must be at least 1")
    if df <= len(_T975):
        return _T975[df - 1]
    # Cornish-Fisher expansion around the normal quantile: within 0.001 of the exact value
    # above 30 degrees of freedom.
    z = _Z975
    return z + (z ** 3 + z) / (4 * df) + (5 * z ** 5 + 16 * z ** 3 + 3 * z) / (96 * df ** 2)


def mean_ci95(values):
    """(mean, half-width of the 95% interval) of a sample; the half-width is None below two values."""
    n = len(values)
    if n == 0:
        return None, None
    mean = sum(values) / n
    if n < 2:
        return mean, None
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1))
    return mean, t975(n - 1) * sd / math.sqrt(n)
