"""Distributions (PyMC's names and parameterisations), their transforms and ``logp``/``logcdf``."""

from probgraph.distributions import transforms
from probgraph.distributions.continuous import *  # noqa: F403
from probgraph.distributions.continuous import __all__ as _continuous
from probgraph.distributions.dist_math import ParameterValueError, check_parameters
from probgraph.distributions.distribution import (Continuous, CustomDist, DiracDelta, Discrete,
                                                  Distribution, RandomVariable, logcdf, logp)

__all__ = ["transforms", "Distribution", "Continuous", "Discrete", "RandomVariable", "CustomDist",
           "DiracDelta", "logp", "logcdf", "check_parameters", "ParameterValueError", *_continuous]

from probgraph.distributions.discrete import *  # noqa: E402,F403
from probgraph.distributions.discrete import __all__ as _discrete  # noqa: E402

__all__ += _discrete

from probgraph.distributions.multivariate import *  # noqa: E402,F403
from probgraph.distributions.multivariate import __all__ as _multivariate  # noqa: E402

__all__ += _multivariate

from probgraph.distributions.mixture import *  # noqa: E402,F403
from probgraph.distributions.mixture import __all__ as _mixture  # noqa: E402

__all__ += _mixture

from probgraph.distributions.timeseries import *  # noqa: E402,F403
from probgraph.distributions.timeseries import __all__ as _timeseries  # noqa: E402

__all__ += _timeseries

from probgraph.distributions.censored import *  # noqa: E402,F403
from probgraph.distributions.censored import __all__ as _censored  # noqa: E402

__all__ += _censored

from probgraph.distributions.lkj import *  # noqa: E402,F403
from probgraph.distributions.lkj import __all__ as _lkj  # noqa: E402

__all__ += _lkj
