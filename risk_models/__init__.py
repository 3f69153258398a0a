"""LoanHub risk models: sandbox data, features, training, scoring, explanations.

Plain Python (pandas, NumPy, LightGBM); never imports Django. Entry points:

* :func:`risk_models.sandbox.generate` — synthetic enterprises, records, loans
* :func:`risk_models.features.build_features` — features as of a date
* :func:`risk_models.training.train` — train a model on any labelled frame
* :class:`risk_models.model.RiskModel` — load, save, score, explain
* :func:`risk_models.bundled.ensure_sandbox_model` — the bundled demo model
* ``python -m risk_models`` — the command line
"""

from __future__ import annotations

__version__ = "0.1.0"
