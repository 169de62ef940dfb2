"""Reference solution: the warm-up / inverse-square-root learning-rate schedule."""


def noam_lr(step, d_model, warmup):
    """Learning rate of "Attention Is All You Need" (the "Noam" schedule), for step >= 1:

        lr = d_model^-0.5 * min(step^-0.5, step * warmup^-1.5)

    Linear warm-up for the first ``warmup`` steps, then decay as 1/sqrt(step);
    the two pieces meet at step = warmup, the peak, (d_model * warmup)^-0.5.
    Returns a Python float.
    """
    return d_model**-0.5 * min(step**-0.5, step * warmup**-1.5)
