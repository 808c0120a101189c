"""A synthetic CTR world with a known click probability, and the small models, training
loop and arms the experiments in ``examples/`` run on it.

- ``world``: users, items, sessions and impression logs, with the true CTR (the oracle);
- ``pretrain``: item vectors pretrained for session similarity (item2vec's objective);
- ``models``: embedding tables (plain, hashed, quotient-remainder), the CTR model, DLRM counts;
- ``train``: one epoch of Adagrad/Adam, prediction and scoring;
- ``arms``: the ways to embed items that experiments compare, trained once per process;
- ``compare``: paired differences of arms, each AUC one recorded with its logloss one;
- ``plots``: one figure style.
"""
