"""LoRA on our model: r(d_in + d_out) trainable parameters, B = 0 starts at the base model, merging is exact, both-zero never trains."""

from __future__ import annotations

from verifiers.experiments._common import at_least, at_most, cancellable, fmt, pick, small_config, text, torch_session
from verifiers.spec import Claim, Context, Cost, Evidence, verifier

SIZES = {
    "tiny": dict(d_model=32, heads=4, kv_heads=2, layers=1, rank=4, steps=25, zero_steps=5, batch=16, max_length=5),
    "quick": dict(d_model=64, heads=4, kv_heads=2, layers=2, rank=8, steps=60, zero_steps=15, batch=32, max_length=6),
    "full": dict(d_model=128, heads=8, kv_heads=4, layers=4, rank=16, steps=300, zero_steps=50, batch=64, max_length=8),
}
VOCAB = 16
ALPHA = 16.0
LEARNING_RATE = 3e-3
PROJECTION_TOLERANCE = 1e-12  # each adapted projection, float64, relative
MERGE_TOLERANCE = 1e-12  # logits, relative, float64 throughout (RMSNorm's statistics too, since #16's follow-up)
LEARNS_BY = 0.05  # the adapter (B = 0, A random) must lower the loss by at least this fraction
QUANTISED_MERGE_GAP = 1e-6  # merging into a 4-bit base then requantising misses by more than this (relative)
GROUP = 16  # INT4 absmax groups along the input dimension

BOUNDS = {
    "merged-equals-unmerged": at_most(MERGE_TOLERANCE),
    "b-zero-starts-at-base-and-trains": at_least(LEARNS_BY),
    "merge-into-4bit-base-is-lossless": at_most(QUANTISED_MERGE_GAP),
}


@verifier(
    id="lora-merge-and-init",
    kind="experiment",
    title=text(
        zh="LoRA（在我们的模型上）：r(d_in + d_out) 个可训练参数；B = 0 从基座模型出发；合并后输出完全相同；A、B 都为 0 则永远不训练",
        en="LoRA on our model: r(d_in + d_out) trainable parameters; B = 0 starts at the base model; merging gives identical outputs; "
        "both factors zero never train",
    ),
    explanation=text(
        zh="LoRA 冻结预训练权重 W₀，只学习 ΔW = (α/r)·BA（B ∈ R^(d_out×r)，A ∈ R^(r×d_in)），前向 h = W₀x + (α/r)·BAx。"
        "这里在 transformer_core 的 Llama 式小模型（RoPE、RMSNorm、SwiGLU、GQA）上给每层的 W_q 和 W_v 加 LoRA：数出可训练参数；"
        "B = 0、A 随机时输出与基座逐位相同，第一步 ∂L/∂A = (α/r)·Bᵀg xᵀ = 0 而 ∂L/∂B = (α/r)·g(Ax)ᵀ ≠ 0；A、B 都为 0 时两个梯度恒为 0，"
        "训练多少步都不动（鞍点）。训练后把 BA 合并进 W₀：合并后的模型结构与参数量与基座相同，输出与未合并的适配器在舍入误差内一致。"
        "但若基座是 4 位量化的（QLoRA），合并后再量化会改变输出：合并应在高精度副本上做。",
        en="LoRA freezes a pretrained weight W₀ and learns only ΔW = (α/r)·BA (B ∈ R^(d_out×r), A ∈ R^(r×d_in)), with forward pass "
        "h = W₀x + (α/r)·BAx. Here every layer's W_q and W_v of a small Llama-style transformer_core model (RoPE, RMSNorm, SwiGLU, "
        "GQA) get LoRA adapters: the trainable parameters are counted; with B = 0 and random A the outputs are bit-identical to "
        "the base model, and at the first step ∂L/∂A = (α/r)·Bᵀg xᵀ = 0 while ∂L/∂B = (α/r)·g(Ax)ᵀ ≠ 0; with both zero both "
        "gradients stay 0 and nothing moves however long it trains (a saddle point). After training BA is merged into W₀: the "
        "merged model has the base's architecture and parameter count, and its outputs equal the unmerged adapter's within "
        "round-off. But with a 4-bit base (QLoRA), merging and requantising changes the outputs: merge into a "
        "high-precision copy.",
    ),
    cost=Cost(quick_s=4.0, full_s=150.0),
    claims=(
        Claim(
            "trainable-parameters",
            text(
                zh="每个被适配的矩阵有 r(d_in + d_out) 个可训练参数，模型数出的可训练参数等于公式之和；4096×4096、r = 8 时为 65,536（0.39%）",
                en="Each adapted matrix has r(d_in + d_out) trainable parameters, and the model's trainable count equals the sum of "
                "the formula; 65,536 (0.39%) for 4096×4096 with r = 8",
            ),
        ),
        Claim(
            "b-zero-starts-at-base-and-trains",
            text(
                zh="B = 0、A 随机：加上适配器后的 logits 与基座逐位相同；第一步 ∂L/∂A = 0、∂L/∂B ≠ 0；训练后损失下降",
                en="B = 0, A random: with the adapters the logits are bit-identical to the base model's; at the first step ∂L/∂A = 0 "
                "and ∂L/∂B ≠ 0; training lowers the loss",
            ),
        ),
        Claim(
            "merged-equals-unmerged",
            text(
                zh="训练后合并 W₀ + (α/r)BA：参数量与结构同基座；每个被适配的投影输出与未合并时相对差 < 1e-12（float64），logits 相对差也 < 1e-12"
                "（float64 模型的 RMSNorm 统计量也是 float64）",
                en="After training, the merged W₀ + (α/r)BA has the base's parameter count and structure; each adapted projection's "
                "output matches the unmerged adapter's within 1e-12 relative (float64) and so do the logits (a float64 model's "
                "RMSNorm takes float64 statistics)",
            ),
        ),
        Claim(
            "both-zero-trains",
            text(
                zh="A、B 都初始化为 0 也能训练：第一步两个因子都有非零梯度",
                en="Initialising both A and B to zero trains just as well: both factors have non-zero gradients at the first step",
            ),
            expected=False,
        ),
        Claim(
            "merge-into-4bit-base-is-lossless",
            text(
                zh="把 BA 合并进 4 位（NF4/INT4）基座再量化是无损的，输出与训练时的模型相同",
                en="Merging BA into a 4-bit (NF4/INT4) base and requantising is lossless: the outputs equal the trained model's",
            ),
            expected=False,
        ),
    ),
    libraries=("torch",),
)
def lora_merge_and_init(ctx: Context, evidence: Evidence) -> None:
    import torch

    from transformer_core import DecoderOnly, SyntheticTask, label_smoothed_cross_entropy

    size = pick(ctx, SIZES)
    rank = size["rank"]
    with torch_session(ctx) as device:
        config = small_config(
            vocab_size=VOCAB, d_model=size["d_model"], n_heads=size["heads"], n_kv_heads=size["kv_heads"], d_ff=2 * size["d_model"],
            n_encoder_layers=0, n_decoder_layers=size["layers"], max_len=4 * size["max_length"] + 4, norm_placement="pre",
            norm_kind="rms", activation="silu", gated_feed_forward=True, positional_encoding="rope", bias=False, scale_embeddings=False,
        )
        task = SyntheticTask("reverse", vocab_size=VOCAB, min_length=2, max_length=size["max_length"], seed=ctx.seed)
        batch = task.make_language_model_batch(size["batch"], torch.Generator().manual_seed(ctx.seed + 1)).to(device)

        def loss_of(model):
            return label_smoothed_cross_entropy(model(batch.ids, batch.padding_mask), batch.targets)

        def fresh_base():
            torch.manual_seed(ctx.seed)
            return DecoderOnly(config).to(device=device, dtype=torch.float64)

        # 1. B = 0, A random: the same function, and only B gets a gradient at step one.
        base = fresh_base().eval()
        base_parameters = base.num_parameters()
        with torch.no_grad():
            base_logits = base(batch.ids, batch.padding_mask)
        model = fresh_base().eval()
        adapters = _attach_lora(torch, model, rank, ALPHA, init="b-zero", generator=ctx.seed_torch(1))
        with torch.no_grad():
            identical_at_start = torch.equal(model(batch.ids, batch.padding_mask), base_logits)
        trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
        formula = sum(rank * (d_in + d_out) for adapter in adapters for d_in, d_out in adapter.adapted_shapes)
        loss = loss_of(model)
        loss.backward()
        grad_a = max(float(a.lora_a.grad.abs().max()) for a in adapters)
        grad_b = max(float(a.lora_b.grad.abs().max()) for a in adapters)
        start_loss = loss.item()
        losses = _train(ctx, torch, model, loss_of, size["steps"])

        # 2. Merge after training: same structure and count as the base, same logits.
        with torch.no_grad():
            unmerged_logits = model(batch.ids, batch.padding_mask)
            merged = fresh_base().eval()
            for merged_attention, adapter in zip(_attentions(merged), adapters):
                merged_attention.in_proj.weight += adapter.delta()
            merged_logits = merged(batch.ids, batch.padding_mask)
            probe = torch.randn(64, config.d_model, generator=ctx.seed_torch(3), dtype=torch.float64).to(device)
            projection_gap = max(
                float((adapter(probe) - merged_attention.in_proj(probe)).abs().max() / adapter(probe).abs().max())
                for adapter, merged_attention in zip(adapters, _attentions(merged))
            )
        merge_gap = float((merged_logits - unmerged_logits).abs().max() / unmerged_logits.abs().max())
        same_structure = merged.num_parameters() == base_parameters and all(
            type(attention.in_proj) is torch.nn.Linear for attention in _attentions(merged)
        )

        # 3. A 4-bit base (INT4 absmax per group of GROUP inputs): merge then requantise vs the trained (unmerged) model.
        with torch.no_grad():
            quantised_base = fresh_base().eval()
            for attention in _attentions(quantised_base):
                attention.in_proj.weight.copy_(_quantise_int4(torch, attention.in_proj.weight))
            adapted = fresh_base().eval()
            for attention, q_attention in zip(_attentions(adapted), _attentions(quantised_base)):
                attention.in_proj.weight.copy_(q_attention.in_proj.weight)
            for attention, adapter in zip(_attentions(adapted), adapters):
                attention.in_proj.weight += adapter.delta()
            trained_on_4bit = adapted(batch.ids, batch.padding_mask)  # what a QLoRA model computes: 4-bit base + BA in high precision
            for attention in _attentions(adapted):
                attention.in_proj.weight.copy_(_quantise_int4(torch, attention.in_proj.weight))
            requantised = adapted(batch.ids, batch.padding_mask)
        requantise_gap = float((requantised - trained_on_4bit).abs().max() / trained_on_4bit.abs().max())

        # 4. Both factors zero: a saddle point.
        zero_model = fresh_base().eval()
        zero_adapters = _attach_lora(torch, zero_model, rank, ALPHA, init="both-zero", generator=ctx.seed_torch(1))
        zero_loss = loss_of(zero_model)
        zero_loss.backward()
        zero_grad = max(max(float(a.lora_a.grad.abs().max()), float(a.lora_b.grad.abs().max())) for a in zero_adapters)
        zero_losses = _train(ctx, torch, zero_model, loss_of, size["zero_steps"])
        still_zero = all(a.lora_a.detach().abs().max().item() == 0.0 and a.lora_b.detach().abs().max().item() == 0.0 for a in zero_adapters)

    learned = (start_loss - losses[-1]) / start_loss
    paper_example = 8 * (4096 + 4096)
    evidence.step(
        r"h = W_0x + \frac{\alpha}{r}BAx,\quad \frac{\partial L}{\partial B} = \frac{\alpha}{r}\,g\,(Ax)^\top,\quad "
        r"\frac{\partial L}{\partial A} = \frac{\alpha}{r}\,B^\top g\,x^\top,\quad g = \frac{\partial L}{\partial h}",
        "B = 0 时 ∂L/∂A = 0、∂L/∂B 非零：B 先动，A 随后；A = B = 0 时两个梯度都为 0，永远不动。",
        "With B = 0, ∂L/∂A = 0 and ∂L/∂B is not: B moves first and A follows; with A = B = 0 both gradients are 0 forever.",
    )
    evidence.step(
        r"W = W_0 + \frac{\alpha}{r}BA \in \mathbb{R}^{d_{out}\times d_{in}},\qquad \#\text{trainable} = r\,(d_{in} + d_{out})",
        "合并后的矩阵与 W₀ 同形，推理时没有额外计算。",
        "The merged matrix has W₀'s shape, so inference costs nothing extra.",
    )
    evidence.table(
        "lora",
        text(zh=f"LoRA（r = {rank}，α = {ALPHA:g}）在 W_q、W_v 上，{size['layers']} 层", en=f"LoRA (r = {rank}, α = {ALPHA:g}) on W_q and W_v, {size['layers']} layers"),
        ("quantity", "value"),
        [
            ("base parameters", base_parameters),
            ("trainable (counted)", trainable),
            ("trainable (Σ r(d_in + d_out))", formula),
            ("logits identical with B = 0", identical_at_start),
            ("max |∂L/∂A| at step 1 (B = 0)", fmt(grad_a)),
            ("max |∂L/∂B| at step 1 (B = 0)", fmt(grad_b)),
            ("loss before → after training", f"{start_loss:.4f} → {losses[-1]:.4f}"),
            ("merged vs unmerged projection outputs (relative)", f"{projection_gap:.1e}"),
            ("merged vs unmerged logits (relative)", f"{merge_gap:.1e}"),
            ("merged model parameters", merged.num_parameters()),
            ("4-bit base: merge + requantise vs trained (relative)", fmt(requantise_gap)),
            ("both zero: max gradient at step 1", fmt(zero_grad)),
            ("both zero: loss before → after", f"{zero_losses[0]:.4f} → {zero_losses[-1]:.4f}"),
        ],
    )
    evidence.plot(
        "training",
        text(zh="LoRA 训练损失：B = 0 与 A = B = 0", en="LoRA training loss: B = 0 against A = B = 0"),
        text(zh="步数", en="step"),
        text(zh="损失（nats）", en="loss (nats)"),
        {"B = 0, A random": (range(len(losses)), losses), "A = B = 0": (range(len(zero_losses)), zero_losses)},
    )
    evidence.metric("trainable_parameters", trainable, en="trainable parameters", zh="可训练参数")
    evidence.metric("merge_gap", merge_gap, en="merged vs unmerged logits, relative", zh="合并与未合并的 logits 相对差")
    evidence.metric("requantise_gap", requantise_gap, en="4-bit base, merge then requantise, relative", zh="4 位基座合并后再量化的相对差")

    evidence.claim(
        "trainable-parameters",
        holds=trainable == formula and paper_example == 65_536 and abs(paper_example / 4096**2 - 0.0039) < 1e-4,
        measured=f"counted {trainable:,} = Σ r(d_in + d_out) = {formula:,} ({trainable / base_parameters:.2%} of {base_parameters:,}); "
        f"4096×4096, r = 8: {paper_example:,} ({paper_example / 4096**2:.2%})",
        value=trainable,
    )
    evidence.claim(
        "b-zero-starts-at-base-and-trains",
        holds=identical_at_start and grad_a == 0.0 and grad_b > 0 and BOUNDS["b-zero-starts-at-base-and-trains"].holds(learned),
        measured=f"logits bit-identical: {identical_at_start}; step 1: max |∂L/∂A| = {grad_a}, max |∂L/∂B| = {fmt(grad_b)}; loss "
        f"{start_loss:.3f} → {losses[-1]:.3f} in {size['steps']} steps ({learned:.0%} lower)",
        value=learned,
    )
    evidence.claim(
        "merged-equals-unmerged",
        holds=same_structure and projection_gap < PROJECTION_TOLERANCE and BOUNDS["merged-equals-unmerged"].holds(merge_gap),
        measured=f"merged model: {merged.num_parameters():,} parameters (base {base_parameters:,}); each adapted projection differs by at most "
        f"{projection_gap:.1e}, the logits by {merge_gap:.1e} (relative)",
        value=merge_gap,
    )
    evidence.claim(
        "both-zero-trains",
        holds=zero_grad > 0,
        measured=f"A = B = 0: largest gradient at step 1 = {zero_grad}; after {size['zero_steps']} Adam steps A and B are still exactly 0: "
        f"{still_zero}; loss {zero_losses[0]:.4f} → {zero_losses[-1]:.4f}",
        value=zero_grad,
    )
    evidence.claim(
        "merge-into-4bit-base-is-lossless",
        holds=BOUNDS["merge-into-4bit-base-is-lossless"].holds(requantise_gap),
        measured=f"INT4 base (absmax, groups of {GROUP}): merging BA and requantising moves the logits by {fmt(requantise_gap)} (relative), "
        f"against {merge_gap:.1e} for a float64 merge",
        value=requantise_gap,
    )
    evidence.set_summary(
        zh=f"W_q、W_v 上 r = {rank} 的 LoRA 有 {trainable:,} 个可训练参数（= Σr(d_in + d_out)）；B = 0 时输出与基座逐位相同、第一步只有 B 有梯度，"
        f"训练后损失降 {learned:.0%}；合并后被适配的投影输出相差 {projection_gap:.0e}、logits 相差 {merge_gap:.0e}；A = B = 0 的梯度恒为 0；4 位基座合并再量化相差 {fmt(requantise_gap)}。",
        en=f"LoRA with r = {rank} on W_q and W_v has {trainable:,} trainable parameters (= Σr(d_in + d_out)); with B = 0 the outputs are "
        f"bit-identical to the base and only B has a gradient at step one, and training lowers the loss by {learned:.0%}; merging moves the adapted projections' outputs "
        f"by {projection_gap:.0e} and the logits by {merge_gap:.0e}; with A = B = 0 the gradients stay 0; merging into a 4-bit base and requantising moves the logits by {fmt(requantise_gap)}.",
    )


def _attentions(model):
    return [layer.self_attention for layer in model.decoder.layers]


def _attach_lora(torch, model, rank: int, alpha: float, *, init: str, generator):
    """Freeze ``model`` and give every self-attention's W_q and W_v a LoRA adapter (inside the fused in_proj)."""
    for parameter in model.parameters():
        parameter.requires_grad_(False)
    adapters = []
    for attention in _attentions(model):
        adapter = _fused_qv_lora(torch, attention.in_proj, attention.kv_dim, rank, alpha, init=init, generator=generator)
        attention.in_proj = adapter
        adapters.append(adapter)
    return adapters


def _fused_qv_lora(torch, linear, kv_dim: int, rank: int, alpha: float, *, init: str, generator):
    """An ``in_proj`` (rows W_q; W_k; W_v) with LoRA on the W_q and W_v rows: base(x) + (α/r)[B_q A_q x; 0; B_v A_v x].

    The class is defined inside a function so that torch is imported only when the experiment runs. It keeps ``weight`` and
    ``bias`` (the frozen base), which the attention module reads for cross-attention and cached keys.
    """

    class FusedQVLoRA(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.base = linear
            d_in = linear.in_features
            self.d_q = d_in
            self.kv_dim = kv_dim
            self.d_in = d_in
            self.adapted_shapes = ((d_in, d_in), (d_in, kv_dim))  # (d_in, d_out) of W_q and of W_v
            dtype = linear.weight.dtype
            bound = 1.0 / d_in**0.5
            random_a = lambda: (torch.rand(rank, d_in, generator=generator, dtype=dtype) * 2 - 1) * bound  # noqa: E731 Kaiming-uniform-like
            zeros = lambda rows, cols: torch.zeros(rows, cols, dtype=dtype)  # noqa: E731
            self.lora_a = torch.nn.Parameter(torch.cat([random_a(), random_a()]) if init == "b-zero" else zeros(2 * rank, d_in))
            self.lora_b = torch.nn.Parameter(zeros(d_in + kv_dim, rank))  # rows: B_q (d × r) then B_v (kv × r)
            self.scaling = alpha / rank
            self.rank = rank

        @property
        def weight(self):
            return self.base.weight

        @property
        def bias(self):
            return self.base.bias

        def forward(self, x):
            a_q, a_v = self.lora_a[: self.rank], self.lora_a[self.rank :]
            b_q, b_v = self.lora_b[: self.d_q], self.lora_b[self.d_q :]
            update_q = (x @ a_q.T) @ b_q.T * self.scaling
            update_v = (x @ a_v.T) @ b_v.T * self.scaling
            zeros_k = x.new_zeros(*x.shape[:-1], self.kv_dim)
            return self.base(x) + torch.cat([update_q, zeros_k, update_v], dim=-1)

        def delta(self):
            """(α/r)·BA laid out like in_proj's weight: rows for W_q, zeros for W_k, rows for W_v."""
            a_q, a_v = self.lora_a[: self.rank], self.lora_a[self.rank :]
            b_q, b_v = self.lora_b[: self.d_q], self.lora_b[self.d_q :]
            zeros_k = torch.zeros(self.kv_dim, self.d_in, dtype=self.lora_a.dtype, device=self.lora_a.device)
            return torch.cat([b_q @ a_q, zeros_k, b_v @ a_v]) * self.scaling

    return FusedQVLoRA()


def _train(ctx, torch, model, loss_of, steps: int) -> list[float]:
    """Adam on the trainable parameters (the adapters) for ``steps`` steps on one batch; returns the losses."""
    trainable = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.Adam(trainable, lr=LEARNING_RATE)
    losses = []
    for _ in cancellable(ctx, range(steps)):
        optimizer.zero_grad()
        loss = loss_of(model)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    with torch.no_grad():
        losses.append(float(loss_of(model)))
    return losses


def _quantise_int4(torch, weight):
    """Symmetric INT4 absmax per group of GROUP input columns: round(w/s)·s with s = max|w|/7."""
    rows, cols = weight.shape
    groups = weight.reshape(rows, cols // GROUP, GROUP)
    scale = groups.abs().amax(dim=-1, keepdim=True).clamp_min(1e-12) / 7
    return (torch.round(groups / scale).clamp(-7, 7) * scale).reshape(rows, cols)
