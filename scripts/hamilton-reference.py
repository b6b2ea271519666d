#!/usr/bin/python3
"""Reference values for the Hamilton (1989) reproduction test.

Fits statsmodels' MarkovAutoregression (two regimes, AR(4), switching mean, common AR and
variance) to the US real GNP growth series that statsmodels ships with its tests (quarterly,
1951Q2-1984Q4, 100 x log-difference), and writes the data, the estimates, the log-likelihood and
the filtered/smoothed probabilities of regime 1 as JSON.

Run: /usr/bin/python3 scripts/hamilton-reference.py > test/fixtures/hamilton-statsmodels.json
(Debian: apt-get install python3-statsmodels)
"""
import json

import numpy as np
import statsmodels
from statsmodels.tsa.regime_switching import markov_autoregression
from statsmodels.tsa.regime_switching.tests.test_markov_autoregression import rgnp

y = np.asarray(rgnp, dtype=float)
model = markov_autoregression.MarkovAutoregression(y, k_regimes=2, order=4, switching_ar=False)
res = model.fit(search_reps=20, search_iter=50, em_iter=50, disp=False, maxiter=2000, method='bfgs')
p = dict(zip(model.param_names, res.params))
print(json.dumps({
    'source': f'statsmodels {statsmodels.__version__} MarkovAutoregression(k_regimes=2, order=4, switching_ar=False)',
    'data': list(y),
    'paramNames': model.param_names,
    'params': list(res.params),
    'p00': p['p[0->0]'],
    'p11': 1 - p['p[1->0]'],
    'mu': [p['const[0]'], p['const[1]']],
    'ar': [p['ar.L1'], p['ar.L2'], p['ar.L3'], p['ar.L4']],
    'sigma2': p['sigma2'],
    'logLikelihood': res.llf,
    'filtered1': list(res.filtered_marginal_probabilities[:, 1]),
    'smoothed1': list(res.smoothed_marginal_probabilities[:, 1]),
}, indent=1))
