"""`tandem eval route`: routers measured the way RouteLLM measures them (APGR, CPT).

    items     the mix of items and their answer keys (ARC-Easy, MMLU, GSM8K, NQ-open, device commands)
    scoring   is an answer right, by each kind's own key
    answers   the device's and the cloud's answer to each item, computed once and cached
    routers   each router's score per item (higher: send to the cloud first)
    metrics   accuracy at every share of cloud calls, APGR, CPT(50%), CPT(80%)
    plot      accuracy against cloud share, one line per router (PNG)
"""
