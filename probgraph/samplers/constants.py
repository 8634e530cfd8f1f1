"""Stan's sampler defaults as named constants, and the column layout of the per-draw statistics."""

# --- NUTS / HMC (stan: src/stan/mcmc/hmc/nuts/base_nuts.hpp, services defaults) -------------------
TARGET_ACCEPT = 0.8  # delta: dual-averaging target of the mean Metropolis acceptance
HMC_TARGET_ACCEPT = 0.65  # PyMC's default for static HMC
MAX_TREEDEPTH = 10
MAX_ENERGY_ERROR = 1000.0  # max_deltaH: a leapfrog whose energy error exceeds this diverges
STEP_SIZE = 1.0  # initial nominal step size before init_stepsize (CmdStan `stepsize = 1`)
PATH_LENGTH = 2.0  # static HMC integration time (PyMC)
HMC_MAX_STEPS = 1024  # cap on static-HMC leapfrog steps (PyMC)
STEP_JITTER_LOW = 0.85  # static HMC: step size multiplied by uniform(0.85, 1.15) (PyMC `unif`)
STEP_JITTER_HIGH = 1.15
INIT_STEPSIZE_ACCEPT = 0.8  # init_stepsize: double/halve until exp(-dH) crosses this (base_hmc)
INIT_STEPSIZE_MAX = 1e7  # improper posterior if the heuristic walks past this

# --- dual averaging (stan: src/stan/mcmc/stepsize_adaptation.hpp) --------------------------------
DA_GAMMA = 0.05
DA_T0 = 10.0
DA_KAPPA = 0.75
DA_MU_FACTOR = 10.0  # mu = log(10 * step_size)

# --- windowed metric adaptation (stan: src/stan/mcmc/windowed_adaptation.hpp) ---------------------
INIT_BUFFER = 75
TERM_BUFFER = 50
BASE_WINDOW = 25
MIN_ADAPT_WARMUP = 20  # below this many tuning draws Stan does not adapt the metric
SMALL_INIT_FRACTION = 0.15  # when init+base+term > warmup: 15% / 75% / 10%
SMALL_TERM_FRACTION = 0.10
# var_adaptation.hpp / covar_adaptation.hpp: var * n/(n+5) + 1e-3 * 5/(n+5)
REG_SHRINK_N = 5.0
REG_JITTER = 1e-3

# --- nutpie-style gradient-based diagonal ("adapt_diag_grad") -------------------------------------
GRAD_METRIC_MIN = 1e-10  # clamp of sqrt(var(draws)/var(grads)) (nuts-rs clamps likewise)
GRAD_METRIC_MAX = 1e10

# --- initialisation (pymc: jitter+adapt_diag) -----------------------------------------------------
JITTER_SCALE = 1.0  # q0 + uniform(-1, 1)
JITTER_MAX_TRIES = 10

# --- codes shared by the kernels ----------------------------------------------------------------
METRIC_DIAG = 0
METRIC_DENSE = 1
METRIC_DIAG_GRAD = 2

# window_flags values, one per tuning iteration (see adaptation.window_flags)
WIN_NONE = 0  # no metric sample this iteration
WIN_ADD = 1  # add the draw to the running estimator
WIN_END = 2  # add the draw, then close the window: update the metric, rerun init_stepsize

# columns of the float64 stats row each transition writes
ST_LP = 0
ST_DIVERGING = 1
ST_ENERGY = 2
ST_ENERGY_ERROR = 3
ST_MAX_ENERGY_ERROR = 4
ST_TREE_DEPTH = 5
ST_N_STEPS = 6
ST_STEP_SIZE = 7
ST_STEP_SIZE_BAR = 8
ST_ACCEPTANCE_RATE = 9
ST_REACHED_MAX_TREEDEPTH = 10
N_STATS = 11

# ArviZ name and dtype of each column (perf_counter_diff is added by the Python driver)
STAT_DTYPES = {
    "lp": "float64",
    "diverging": "bool",
    "energy": "float64",
    "energy_error": "float64",
    "max_energy_error": "float64",
    "tree_depth": "int64",
    "n_steps": "int64",
    "step_size": "float64",
    "step_size_bar": "float64",
    "acceptance_rate": "float64",
    "reached_max_treedepth": "bool",
}

# slots of the per-chain float64 scalar state array
SC_LOGP = 0
SC_STEP_SIZE = 1  # nominal step size used by the next transition
SC_MU = 2  # dual averaging
SC_S_BAR = 3
SC_X_BAR = 4
SC_COUNTER = 5
SC_WELFORD_N = 6
N_SCALARS = 7
