"""`make loadtest`: Locust against the `make run` stack, with per-process CPU and memory.

`python -m loadtest` uses the portal answering at LOADTEST_HOST (default
http://127.0.0.1:$PORT, PORT defaulting to 8000) or starts `python -m portal.launcher`
itself and stops it afterwards. It then

1. prepares one portal login per simulated person (`loadtest-NN`, QualityAnalyst plus
   the audit log's permission; a browser session and an API token each), since a
   shared login would measure the per-user rate limit and allauth's login limit
   rather than the portal;
2. runs Locust headless: LOADTEST_USERS (50) people with 1-5 s of thought between
   actions for LOADTEST_DURATION (5m), mixing search pages (with and without English
   and Japanese keywords), contact pages, CSV exports, the audit log, API searches,
   transcripts and Play (fetch, wait for the job, ranged audio reads);
3. presses Play LOADTEST_PRESSES (200) times at once on one contact whose recording is
   not cached, and counts the fetch jobs that started (one is right);
4. runs the same people without thinking for LOADTEST_SATURATION_DURATION (1m; "0"
   skips it);

and prints p50 / p95 / p99, errors and throughput per request type, and the CPU and
memory of each process of the stack, sampled with psutil during each run.
"""
