"""Wrong losses and schedules."""

from tests.verifiers.drills.mistakes import Wrong

WRONG = {
    "label-smoothed-cross-entropy": [
        Wrong(
            "mean-over-all-positions",
            "ignore-index",
            """
            import torch
            def label_smoothed_cross_entropy(logits, target, epsilon, ignore_index=-100):
                logp = torch.log_softmax(logits, -1)
                keep = target != ignore_index
                safe = torch.where(keep, target, torch.zeros_like(target))
                per = (1 - epsilon) * -logp.gather(-1, safe[:, None]).squeeze(-1) + epsilon * -logp.mean(-1)
                return (per * keep).sum() / target.numel()
            """,
        ),
        Wrong(
            "smoothing-term-not-masked",
            "ignore-index",
            """
            import torch
            def label_smoothed_cross_entropy(logits, target, epsilon, ignore_index=-100):
                logp = torch.log_softmax(logits, -1)
                keep = target != ignore_index
                safe = torch.where(keep, target, torch.zeros_like(target))
                nll = -logp.gather(-1, safe[:, None]).squeeze(-1)
                return ((1 - epsilon) * nll * keep + epsilon * -logp.mean(-1)).sum() / keep.sum()
            """,
        ),
        Wrong(
            "epsilon-over-other-classes",
            "matches-torch",
            """
            import torch
            def label_smoothed_cross_entropy(logits, target, epsilon, ignore_index=-100):
                logp = torch.log_softmax(logits, -1)
                V = logits.size(-1)
                keep = target != ignore_index
                safe = torch.where(keep, target, torch.zeros_like(target))
                nll = -logp.gather(-1, safe[:, None]).squeeze(-1)
                others = (-logp.sum(-1) - nll) / (V - 1)
                return (((1 - epsilon) * nll + epsilon * others) * keep).sum() / keep.sum()
            """,
        ),
        Wrong(
            "log-of-softmax",
            "large-logits",
            """
            import torch
            def label_smoothed_cross_entropy(logits, target, epsilon, ignore_index=-100):
                logp = torch.log(torch.softmax(logits, -1))
                keep = target != ignore_index
                safe = torch.where(keep, target, torch.zeros_like(target))
                per = (1 - epsilon) * -logp.gather(-1, safe[:, None]).squeeze(-1) + epsilon * -logp.mean(-1)
                return (per * keep).sum() / keep.sum()
            """,
        ),
        Wrong(
            "gathers-ignored-targets",
            "ignore-index",
            """
            import torch
            def label_smoothed_cross_entropy(logits, target, epsilon, ignore_index=-100):
                logp = torch.log_softmax(logits, -1)
                keep = target != ignore_index
                per = (1 - epsilon) * -logp.gather(-1, target[:, None]).squeeze(-1) + epsilon * -logp.mean(-1)
                return (per * keep).sum() / keep.sum()
            """,
            outcome="raised",
        ),
        Wrong(
            "calls-cross-entropy",
            "matches-torch",
            """
            import torch.nn.functional as F
            def label_smoothed_cross_entropy(logits, target, epsilon, ignore_index=-100):
                return F.cross_entropy(logits, target, label_smoothing=epsilon, ignore_index=ignore_index)
            """,
        ),
    ],
    "noam-schedule": [
        Wrong(
            "warmup-power-half",
            "matches-formula",
            """
            def noam_lr(step, d_model, warmup):
                return d_model ** -0.5 * min(step ** -0.5, step * warmup ** -0.5)
            """,
        ),
        Wrong(
            "max-not-min",
            "matches-formula",
            """
            def noam_lr(step, d_model, warmup):
                return d_model ** -0.5 * max(step ** -0.5, step * warmup ** -1.5)
            """,
        ),
        Wrong(
            "missing-d-model",
            "matches-formula",
            """
            def noam_lr(step, d_model, warmup):
                return min(step ** -0.5, step * warmup ** -1.5)
            """,
        ),
        Wrong(
            "zero-based-step",
            "peak-at-warmup",
            """
            def noam_lr(step, d_model, warmup):
                step = step + 1
                return d_model ** -0.5 * min(step ** -0.5, step * warmup ** -1.5)
            """,
        ),
    ],
}
