"""Lambda execution environments without Docker: worker processes, the Runtime API, bootstraps.

    pool = Pool(clock, log_sink)
    outcome = await pool.invoke(spec, Invocation(request_id, payload, invoked_arn))

The Lambda service (services/lambda_) decides what runs (FunctionSpec) and when (concurrency,
retries); this package runs it: model.py (what runs and what comes back), launch.py (command,
environment variables, limits), environment.py (one worker process and its Runtime API),
pool.py (warm reuse, idle reaping), concurrency.py (slots), interpreters.py (which Python).
"""

from postoffice.runtime.concurrency import Slots
from postoffice.runtime.model import FunctionSpec, Invocation, Outcome
from postoffice.runtime.pool import Pool

__all__ = ["FunctionSpec", "Invocation", "Outcome", "Pool", "Slots"]
