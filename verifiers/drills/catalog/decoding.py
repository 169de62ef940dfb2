"""Drills: greedy decoding, beam search, temperature sampling, top-k and top-p filters."""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Any

from verifiers.drills.catalog._common import reference_module, text
from verifiers.drills.spec import Drill, check

if TYPE_CHECKING:
    from verifiers.drills.context import DrillContext


class ToyLanguageModel:
    """A fixed random next-token distribution that depends on the whole prefix.

    Logits = a row picked by the last token + a row picked by the prefix length
    + a little of a row picked by the first token, so feeding only the last
    token, or a prefix of the wrong length, gives different logits.
    """

    def __init__(self, ctx: "DrillContext", vocab: int, *, eos_id: int | None = None, eos_bias: float = 0.0, scale: float = 2.0):
        self.vocab = vocab
        self.by_last = ctx.randn(vocab, vocab, scale=scale)
        self.by_length = ctx.randn(12, vocab, scale=scale / 2)
        self.by_first = ctx.randn(vocab, vocab, scale=0.3)
        if eos_id is not None:
            self.by_last[:, eos_id] += eos_bias
        self.eos_id = eos_id

    def __call__(self, tokens: Any) -> Any:
        import torch

        if not isinstance(tokens, torch.Tensor) or tokens.dim() != 1 or tokens.dtype != torch.long:
            shown = f"a {tokens.dim()}-D {tokens.dtype} tensor" if isinstance(tokens, torch.Tensor) else type(tokens).__name__
            raise TypeError(
                f"next_token_logits takes the whole sequence so far as a 1-D LongTensor, but was given {shown}"
            )
        return self.by_last[tokens[-1]] + self.by_length[len(tokens) % 12] + self.by_first[tokens[0]]

    def describe(self) -> str:
        eos = "" if self.eos_id is None else f", EOS = {self.eos_id}"
        return f"a fixed random language model over {self.vocab} tokens{eos} (logits depend on the first and last tokens and the length)"


def _as_decoder_only_model(function: Any) -> Any:
    """``transformer_core``'s decoding protocol around a next-token function (a batch of one, no cache)."""
    import torch

    class NextTokenModel(torch.nn.Module):
        def forward(self, ids: Any, **_: Any) -> Any:
            return function(ids[0]).float().view(1, 1, -1)  # (B=1, T=1, V): decoding reads the last position

        def new_cache(self) -> None:
            return None

    return NextTokenModel()


def _greedy_reference(model: Any, prompt: Any, max_new_tokens: int, eos_id: int | None) -> Any:
    """``transformer_core.greedy_decode`` on the toy model: the prompt, then the generated tokens."""
    import torch

    from transformer_core.decoding import greedy_decode

    if max_new_tokens == 0:
        return prompt.clone()
    result = greedy_decode(_as_decoder_only_model(model), prompt=prompt[None, :], max_new_tokens=max_new_tokens, eos_id=eos_id, use_cache=False)
    generated = result.sequences[0, : int(result.lengths[0])]
    return torch.cat([prompt, generated])


def _greedy_mistakes(model: Any, prompt: Any, max_new_tokens: int, eos_id: int | None) -> list:
    full = _greedy_reference(model, prompt, max_new_tokens + 1, None)
    found = [(text("多生成了一个词元：最多生成 max_new_tokens 个。", "One token too many: generate at most max_new_tokens."), full[: len(prompt) + max_new_tokens + 1])]
    if eos_id is not None:
        with_eos = _greedy_reference(model, prompt, max_new_tokens, eos_id)
        if int(with_eos[-1]) == eos_id:
            found.append((text("生成的 EOS 要保留在结果里。", "Keep the generated EOS in the result."), with_eos[:-1]))
            found.append((text("生成 EOS 后要立即停止。", "Stop right after generating EOS."), _greedy_reference(model, prompt, max_new_tokens, None)))
    return found


@check(
    "matches-transformer-core",
    en="On seeded random language models (6 to 9 tokens), prompts of 1 to 3 tokens and max_new_tokens 1 to 8, returns "
    "exactly what transformer_core.greedy_decode generates: the prompt, then each argmax token, stopping after EOS.",
    zh="在随机语言模型（6 到 9 个词元）、长度 1 到 3 的提示和 max_new_tokens 1 到 8 上，结果与 transformer_core.greedy_decode "
    "完全相同：先是提示，然后每步取 argmax，生成 EOS 后停止。",
    hint_en="Each step: logits = next_token_logits(tokens) on the whole sequence so far, append argmax, stop after EOS; return prompt + generated.",
    hint_zh="每一步：对目前为止的整个序列调用 next_token_logits(tokens)，追加 argmax，生成 EOS 后停止；返回提示 + 生成部分。",
)
def _greedy_matches(greedy_decode: Any, ctx: "DrillContext") -> None:
    for vocab, prompt_length, max_new, eos_bias in ((6, 1, 1, 0.0), (7, 2, 5, 0.0), (8, 3, 8, 1.5), (9, 1, 8, 2.5)):
        eos_id = vocab - 1
        model = ToyLanguageModel(ctx, vocab, eos_id=eos_id, eos_bias=eos_bias)
        prompt = ctx.randint(0, vocab - 1, prompt_length)
        ctx.equal(
            ctx.call(greedy_decode, model, prompt, max_new, eos_id=eos_id),
            _greedy_reference(model, prompt, max_new, eos_id),
            inputs={"next_token_logits": model.describe(), "prompt": prompt, "max_new_tokens": max_new, "eos_id": eos_id},
            mistakes=lambda: _greedy_mistakes(model, prompt, max_new, eos_id),
        )


@check(
    "eos-and-limits",
    en="Stops right after EOS with EOS kept; eos_id=None runs to max_new_tokens; max_new_tokens=0 returns the prompt; the result is a 1-D LongTensor.",
    zh="生成 EOS 后立即停止并保留 EOS；eos_id=None 时一直生成到 max_new_tokens；max_new_tokens=0 时返回提示本身；结果是 1-D LongTensor。",
    hint_en="Check for EOS after appending the new token; the loop runs at most max_new_tokens times (possibly zero).",
    hint_zh="在追加新词元之后检查 EOS；循环最多执行 max_new_tokens 次（可以是零次）。",
)
def _greedy_edges(greedy_decode: Any, ctx: "DrillContext") -> None:
    import torch

    model = ToyLanguageModel(ctx, 6)
    prompt = torch.tensor([2, 4])
    for max_new, eos_id in ((0, 5), (6, None)):
        ctx.equal(
            ctx.call(greedy_decode, model, prompt, max_new, eos_id=eos_id),
            _greedy_reference(model, prompt, max_new, eos_id),
            inputs={"next_token_logits": model.describe(), "prompt": prompt, "max_new_tokens": max_new, "eos_id": eos_id},
        )
    sure_eos = ToyLanguageModel(ctx, 6, eos_id=3, eos_bias=50.0)  # EOS is the argmax from the first step on
    ctx.equal(
        ctx.call(greedy_decode, sure_eos, prompt, 5, eos_id=3),
        torch.tensor([2, 4, 3]),
        inputs={"next_token_logits": sure_eos.describe() + ", EOS always the most likely", "prompt": prompt, "max_new_tokens": 5, "eos_id": 3},
        mistakes=lambda: [
            (text("生成的 EOS 要保留在结果里。", "Keep the generated EOS in the result."), prompt),
            (text("生成 EOS 后要立即停止。", "Stop right after generating EOS."), torch.tensor([2, 4, 3, 3, 3, 3, 3])),
        ],
    )


GREEDY_DECODING = Drill(
    id="greedy-decoding",
    entry="greedy_decode",
    reference="greedy_decoding.py",
    title=text("贪心解码", "Greedy decoding"),
    task=text(
        "实现 greedy_decode(next_token_logits, prompt, max_new_tokens, eos_id=None)：next_token_logits 接收目前为止的整个序列（1-D LongTensor），"
        "返回下一个词元的 logits (V,)。每步取 argmax 追加到序列；生成 eos_id 后立即停止（EOS 保留），或生成 max_new_tokens 个后停止。返回提示 + 生成的词元（1-D LongTensor）。",
        "Write greedy_decode(next_token_logits, prompt, max_new_tokens, eos_id=None): next_token_logits takes the whole "
        "sequence so far (1-D LongTensor) and returns the next token's logits (V,). Each step append the argmax; stop "
        "right after generating eos_id (kept) or after max_new_tokens tokens. Return the prompt followed by the "
        "generated tokens (1-D LongTensor).",
    ),
    hints=(
        text("贪心 = 每一步局部最优；它不保证整个序列概率最大。", "Greedy is locally optimal at each step; it does not guarantee the most likely sequence."),
        text("torch.cat([tokens, next_token.view(1)]) 追加一个词元。", "torch.cat([tokens, next_token.view(1)]) appends one token."),
    ),
    questions=("decoding-greedy-search", "decoding-autoregressive-generation", "decoding-sampling-vs-search"),
    checks=(_greedy_matches, _greedy_edges),
)

# -- beam search -----------------------------------------------------------------------------------


def _beam_reference(*args: Any, **kwargs: Any) -> Any:
    return reference_module("beam-search").beam_search(*args, **kwargs)


def _beam_result(got: Any, ctx: "DrillContext", inputs: dict) -> tuple:
    import torch

    ok = isinstance(got, tuple) and len(got) == 2 and isinstance(got[0], torch.Tensor)
    ctx.require(ok, text("应返回 (tokens, score)", "it should return (tokens, score)"), inputs=inputs, got=got)
    return got


def _compare_beam(ctx: "DrillContext", got: Any, expected: tuple, inputs: dict, mistakes: Any = ()) -> None:
    tokens, score = _beam_result(got, ctx, inputs)
    ctx.equal(tokens, expected[0], inputs=inputs, what=text("返回的序列", "the returned sequence"), mistakes=mistakes)
    ctx.number(score, expected[1], inputs=inputs, what=text("返回的分数", "the returned score"), rel=1e-6)


def _beam_mistakes(model: Any, prompt: Any, beam: int, max_new: int, eos_id: int, penalty: float) -> Any:
    def found() -> list:
        hints = []
        raw = _beam_reference(model, prompt, beam, max_new, eos_id, 0.0)[0]
        if penalty != 0:
            hints.append((text("最终排序要用长度惩罚后的分数：log_prob / L ** length_penalty。", "Rank the finished hypotheses by log_prob / L ** length_penalty, not by raw log-probability."), raw))
        return hints

    return found


BEAM_CASES = ((6, 1, 2, 4, 1.0), (7, 2, 3, 5, 0.6), (8, 1, 4, 6, 2.0), (6, 3, 3, 6, 0.0))  # (V, prompt length, beam, max_new, penalty)


@check(
    "matches-specification",
    en="On seeded random language models, beam sizes 2 to 4, length penalties 0, 0.6, 1 and 2, returns the same "
    "(tokens, score) as the specified algorithm: global top-beam_size extensions each step, EOS hypotheses retire, "
    "score = log-probability / L ** length_penalty (score within 1e-6).",
    zh="在随机语言模型、束宽 2 到 4、长度惩罚 0、0.6、1 和 2 上，返回与规定算法相同的 (tokens, score)：每步在所有扩展中取全局前 beam_size 个，"
    "以 EOS 结尾的假设退出，分数 = log 概率 / L ** length_penalty（分数误差 1e-6 内）。",
    hint_en="Use log_softmax for each step's log-probabilities and add them up; pick the top beam_size among all "
    "beams' extensions together, not per beam.",
    hint_zh="每一步用 log_softmax 得到对数概率并累加；在所有束的扩展中一起选前 beam_size 个，而不是每个束各选。",
)
def _beam_matches(beam_search: Any, ctx: "DrillContext") -> None:
    for vocab, prompt_length, beam, max_new, penalty in BEAM_CASES:
        eos_id = vocab - 1
        model = ToyLanguageModel(ctx, vocab, eos_id=eos_id, eos_bias=1.0)
        prompt = ctx.randint(0, vocab - 1, prompt_length)
        inputs = {"next_token_logits": model.describe(), "prompt": prompt, "beam_size": beam, "max_new_tokens": max_new, "eos_id": eos_id, "length_penalty": penalty}
        _compare_beam(
            ctx,
            ctx.call(beam_search, model, prompt, beam, max_new, eos_id, length_penalty=penalty),
            _beam_reference(model, prompt, beam, max_new, eos_id, penalty),
            inputs,
            _beam_mistakes(model, prompt, beam, max_new, eos_id, penalty),
        )


@check(
    "beam-one-is-greedy",
    en="With beam_size = 1 and length_penalty = 0 the sequence equals greedy decoding's (transformer_core) and the "
    "score is its total log-probability.",
    zh="beam_size = 1 且 length_penalty = 0 时，序列与贪心解码（transformer_core）相同，分数是其总对数概率。",
    hint_en="A beam of one keeps the single best extension each step: exactly greedy. The score sums log-probabilities (log_softmax), not logits.",
    hint_zh="束宽为 1 时每步只保留最好的一个扩展，恰好就是贪心。分数是对数概率（log_softmax）之和，不是 logits 之和。",
)
def _beam_greedy(beam_search: Any, ctx: "DrillContext") -> None:
    import torch

    for vocab, prompt_length, max_new in ((6, 1, 4), (8, 2, 6)):
        eos_id = vocab - 1
        model = ToyLanguageModel(ctx, vocab, eos_id=eos_id, eos_bias=1.0)
        prompt = ctx.randint(0, vocab - 1, prompt_length)
        greedy = _greedy_reference(model, prompt, max_new, eos_id)
        log_prob = sum(
            float(torch.log_softmax(model(greedy[:t]), -1)[greedy[t]]) for t in range(prompt_length, len(greedy))
        )
        inputs = {"next_token_logits": model.describe(), "prompt": prompt, "beam_size": 1, "max_new_tokens": max_new, "eos_id": eos_id, "length_penalty": 0.0}
        _compare_beam(ctx, ctx.call(beam_search, model, prompt, 1, max_new, eos_id, length_penalty=0.0), (greedy, log_prob), inputs)


@check(
    "exhaustive-when-wide",
    en="When the beam is as wide as every possible continuation (3 tokens, 3 steps, beam 27), the result is the best "
    "sequence under the score over all of them, for length penalties 0 and 1.",
    zh="当束宽覆盖所有可能的续写时（3 个词元、3 步、束宽 27），结果是所有序列中分数最高的那个，长度惩罚为 0 和 1 时都是。",
    hint_en="Finished (EOS) hypotheses must keep their score and compete at the end with the live ones, scored by log_prob / L ** length_penalty.",
    hint_zh="已结束（EOS）的假设要保留分数，最后与仍在扩展的假设一起按 log_prob / L ** length_penalty 比较。",
)
def _beam_exhaustive(beam_search: Any, ctx: "DrillContext") -> None:
    import torch

    vocab, eos_id, steps = 3, 2, 3
    model = ToyLanguageModel(ctx, vocab, eos_id=eos_id, eos_bias=0.5)
    prompt = torch.tensor([0])
    for penalty in (0.0, 1.0):
        best: tuple | None = None
        for length in range(1, steps + 1):
            for continuation in itertools.product(range(vocab), repeat=length):
                if eos_id in continuation[:-1] or (length < steps and continuation[-1] != eos_id):
                    continue  # EOS ends a sequence; shorter ones only by EOS
                tokens = torch.cat([prompt, torch.tensor(continuation)])
                log_prob = sum(float(torch.log_softmax(model(tokens[:t]), -1)[tokens[t]]) for t in range(1, len(tokens)))
                score = log_prob / length**penalty
                if best is None or score > best[1]:
                    best = (tokens, score)
        assert best is not None
        inputs = {"next_token_logits": model.describe(), "prompt": prompt, "beam_size": 27, "max_new_tokens": steps, "eos_id": eos_id, "length_penalty": penalty}
        _compare_beam(ctx, ctx.call(beam_search, model, prompt, 27, steps, eos_id, length_penalty=penalty), best, inputs)


BEAM_SEARCH = Drill(
    id="beam-search",
    entry="beam_search",
    reference="beam_search.py",
    title=text("束搜索（EOS 与长度惩罚）", "Beam search with EOS and a length penalty"),
    task=text(
        "实现 beam_search(next_token_logits, prompt, beam_size, max_new_tokens, eos_id, length_penalty=1.0)，返回 (tokens, score)。"
        "算法：每个存活假设带累计对数概率；每步把每个存活假设用每个词元扩展，在全部扩展中保留对数概率最高的 beam_size 个；"
        "以 eos_id 结尾的移入已完成列表，其余继续；没有存活假设或满 max_new_tokens 步时停止，剩下的存活假设也算完成。"
        "分数 = 对数概率 / L^length_penalty（L 为生成的词元数，含 EOS）。返回分数最高的已完成假设。",
        "Write beam_search(next_token_logits, prompt, beam_size, max_new_tokens, eos_id, length_penalty=1.0) returning "
        "(tokens, score). Algorithm: live hypotheses carry their total log-probability; each step extend every live "
        "hypothesis by every token and keep the beam_size best extensions overall; those ending in eos_id are finished, "
        "the rest stay live; stop when none is live or after max_new_tokens steps, the live ones then counting as "
        "finished. Score = log-probability / L ** length_penalty (L = generated tokens, EOS included). Return the best-"
        "scoring finished hypothesis.",
    ),
    hints=(
        text("对数概率用 log_softmax(logits)，沿序列相加。", "Log-probabilities come from log_softmax(logits), summed along the sequence."),
        text("候选是所有束的所有扩展放在一起排序，不是每个束各取前 k 个。", "Rank the extensions of all beams together, not the top k of each beam separately."),
        text("没有长度惩罚时，束搜索偏爱短序列：每多一个词元对数概率就更低。", "Without a length penalty beam search favours short outputs: every extra token lowers the log-probability."),
    ),
    questions=("decoding-beam-search", "decoding-beam-length-normalization", "decoding-greedy-search"),
    checks=(_beam_matches, _beam_greedy, _beam_exhaustive),
)

# -- temperature sampling --------------------------------------------------------------------------------

SAMPLES = 20_000


def _frequencies(tokens: Any, vocab: int) -> Any:
    import torch

    return torch.bincount(tokens, minlength=vocab).double() / tokens.numel()


@check(
    "distribution",
    en=f"Over {SAMPLES:,} draws per temperature (0.5, 1 and 2), each token's frequency is its probability under "
    "softmax(logits / temperature) within 5 standard deviations.",
    zh=f"每个温度（0.5、1 和 2）各抽样 {SAMPLES:,} 次，每个词元的频率与 softmax(logits / temperature) 下的概率之差在 5 个标准差内。",
    hint_en="Divide the logits by the temperature before the softmax (not the probabilities, and not multiply); then draw with torch.multinomial.",
    hint_zh="在 softmax 之前把 logits 除以温度（不是对概率做，也不是乘）；再用 torch.multinomial 抽样。",
)
def _temperature_distribution(sample: Any, ctx: "DrillContext") -> None:
    import torch

    logits_row = torch.tensor([2.0, 1.0, 0.5, -0.5, -1.0], dtype=torch.float64)
    logits = logits_row.expand(SAMPLES, -1).contiguous()
    for temperature in (0.5, 1.0, 2.0):
        tokens = ctx.call(sample, logits, temperature, generator=ctx.new_generator())
        inputs = {"logits": f"{SAMPLES:,} copies of {logits_row.tolist()}", "temperature": temperature}
        ctx.require(
            isinstance(tokens, torch.Tensor) and tuple(tokens.shape) == (SAMPLES,) and tokens.dtype == torch.long,
            text(f"应返回形状为 ({SAMPLES},) 的 LongTensor", f"it should return a LongTensor of shape ({SAMPLES},)"),
            inputs=inputs,
            got=tokens,
        )
        frequency = _frequencies(tokens, 5)
        expected = torch.softmax(logits_row / temperature, -1)
        sigma = (expected * (1 - expected) / SAMPLES).sqrt()
        if bool(((frequency - expected).abs() > 5 * sigma).any()):
            alternatives = (
                (text("应是 logits 除以温度，不是乘以温度。", "Divide the logits by the temperature; do not multiply."), torch.softmax(logits_row * temperature, -1)),
                (text("温度没有起作用：要先把 logits 除以温度。", "The temperature has no effect: divide the logits by it first."), torch.softmax(logits_row, -1)),
            )
            hint = next((h for h, alt in alternatives if bool(((frequency - alt).abs() <= 5 * sigma).all())), None)
            ctx.fail(
                text("抽样频率与 softmax(logits / temperature) 不符", "the sampled frequencies do not match softmax(logits / temperature)"),
                inputs=inputs,
                expected=expected,
                got=frequency,
                max_error=float((frequency - expected).abs().max()),
                hint=hint,
            )


@check(
    "zero-and-tiny-temperature",
    en="temperature = 0 returns each row's argmax without dividing by zero; temperature = 1e-4 on close logits still picks the argmax, with no NaN.",
    zh="temperature = 0 时返回每行的 argmax，不会除以零；在相近的 logits 上 temperature = 1e-4 仍选出 argmax，不出现 NaN。",
    hint_en="Handle temperature == 0 as greedy before dividing; for tiny temperatures the softmax must be stable (subtract the max or use torch.softmax).",
    hint_zh="在做除法之前把 temperature == 0 当作贪心处理；温度极小时 softmax 必须数值稳定（减去最大值或用 torch.softmax）。",
)
def _temperature_zero(sample: Any, ctx: "DrillContext") -> None:
    logits = ctx.randn(6, 7, scale=3.0)
    for temperature in (0.0, 1e-4):
        ctx.equal(
            ctx.call(sample, logits, temperature, generator=ctx.new_generator()),
            logits.argmax(-1),
            inputs={"logits": logits, "temperature": temperature},
        )


@check(
    "uses-generator",
    en="Two generators with the same seed give the same samples; different seeds give different ones.",
    zh="相同种子的两个生成器给出相同的样本；不同种子给出不同的样本。",
    hint_en="Pass generator=generator to torch.multinomial (or whatever draws the randomness).",
    hint_zh="把 generator=generator 传给 torch.multinomial（或者其他产生随机数的函数）。",
)
def _temperature_generator(sample: Any, ctx: "DrillContext") -> None:
    import torch

    logits = torch.zeros(64, 10, dtype=torch.float64)
    first = ctx.call(sample, logits, 1.0, generator=torch.Generator().manual_seed(7))
    again = ctx.call(sample, logits, 1.0, generator=torch.Generator().manual_seed(7))
    inputs = {"logits": "64 rows of 10 equal logits", "temperature": 1.0}
    ctx.equal(again, first, inputs={**inputs, "generator": "seeded with 7, twice"}, what=text("第二次的样本", "the second draw"))
    other = ctx.call(sample, logits, 1.0, generator=torch.Generator().manual_seed(8))
    ctx.require(not torch.equal(other, first), text("不同种子给出了相同的样本：generator 参数没有被使用", "different seeds gave the same samples: the generator argument is not used"), inputs=inputs)


TEMPERATURE_SAMPLING = Drill(
    id="temperature-sampling",
    entry="sample_with_temperature",
    reference="temperature_sampling.py",
    title=text("带温度的采样", "Sampling with a temperature"),
    task=text(
        "实现 sample_with_temperature(logits, temperature, generator=None)：logits 为 (B, V)，每行从 softmax(logits / temperature) 中抽一个词元，"
        "返回 (B,) 的 LongTensor。temperature = 0 表示贪心（返回 argmax，不能除以零）。随机数从 generator 抽取。",
        "Write sample_with_temperature(logits, temperature, generator=None): logits is (B, V); draw one token per row from "
        "softmax(logits / temperature) and return a (B,) LongTensor. temperature = 0 means greedy (return the argmax, "
        "never divide by zero). Draw the randomness from generator.",
    ),
    hints=(
        text("T < 1 使分布更尖锐，T > 1 更平坦，T → 0 退化为 argmax。", "T < 1 sharpens the distribution, T > 1 flattens it, T → 0 becomes the argmax."),
        text("torch.multinomial(probs, 1, generator=generator) 每行抽一个。", "torch.multinomial(probs, 1, generator=generator) draws one per row."),
    ),
    questions=("decoding-temperature", "decoding-sampling-vs-search"),
    checks=(_temperature_distribution, _temperature_zero, _temperature_generator),
)

# -- top-k ----------------------------------------------------------------------------------------------------


def _top_k_reference(logits: Any, k: int) -> Any:
    from transformer_core.decoding import top_k_filter

    return top_k_filter(logits, k)


@check(
    "matches-transformer-core",
    en="For logits of shapes (7,), (3, 9), (2, 3, 6) in float32 and float64 and k = 1, 3, V and V + 2, equals "
    "transformer_core's top_k_filter exactly: the k largest logits unchanged, -inf elsewhere.",
    zh="对形状为 (7,)、(3, 9)、(2, 3, 6) 的 float32 和 float64 logits 以及 k = 1、3、V、V + 2，与 transformer_core 的 top_k_filter 完全相同：最大的 k 个 logits 不变，其余为 -inf。",
    hint_en="Find the k-th largest value per row (torch.topk(logits, k).values[..., -1:]) and mask logits below it with -inf; k >= V keeps everything.",
    hint_zh="求每行第 k 大的值（torch.topk(logits, k).values[..., -1:]），把小于它的 logits 置为 -inf；k >= V 时全部保留。",
)
def _top_k_matches(top_k_filter: Any, ctx: "DrillContext") -> None:
    for dtype in ctx.dtypes:
        for shape in ((7,), (3, 9), (2, 3, 6)):
            vocab = shape[-1]
            for k in (1, 3, vocab, vocab + 2):
                logits = ctx.randn(*shape, dtype=dtype, scale=2.0)
                ctx.equal(ctx.call(top_k_filter, logits, k), _top_k_reference(logits, k), inputs={"logits": logits, "k": k}, mistakes=lambda: _top_k_mistakes(logits, k))


def _top_k_mistakes(logits: Any, k: int) -> list:
    import torch

    if k >= logits.size(-1):
        return []
    kth = torch.topk(logits, k, dim=-1).values[..., -1:]
    keep = logits >= kth
    return [
        (text("被过滤的位置应设为 -inf，不是 0：0 在 softmax 里仍有概率。", "Filtered positions get -inf, not 0: a 0 logit still has probability after softmax."), logits.masked_fill(~keep, 0.0)),
        (text("保留的 logits 要原样返回，不要做 softmax 或重新归一化。", "Return the kept logits unchanged: no softmax, no renormalising."), torch.softmax(logits.masked_fill(~keep, float("-inf")), -1)),
    ]


@check(
    "ties-and-negatives",
    en="Logits tied with the k-th largest are all kept; all-negative logits are kept as they are (not zeroed), and the result stays finite where kept.",
    zh="与第 k 大值相等的 logits 全部保留；全为负数的 logits 原样保留（不会变成 0），保留处的结果是有限值。",
    hint_en="Compare values (logits < kth_largest), not indices from topk: topk picks exactly k and drops ties arbitrarily.",
    hint_zh="比较数值（logits < kth_largest），而不是用 topk 返回的下标：topk 恰好取 k 个，会任意丢掉并列的值。",
)
def _top_k_ties(top_k_filter: Any, ctx: "DrillContext") -> None:
    import torch

    for logits, k in ((torch.tensor([[1.0, 3.0, 3.0, 2.0, 3.0, 0.0]]), 2), (torch.tensor([-5.0, -1.0, -3.0, -2.0]), 2)):
        ctx.equal(ctx.call(top_k_filter, logits, k), _top_k_reference(logits, k), inputs={"logits": logits, "k": k}, mistakes=lambda: _top_k_mistakes(logits, k))


TOP_K_FILTER = Drill(
    id="top-k-filter",
    entry="top_k_filter",
    reference="top_k_filter.py",
    title=text("top-k 过滤", "Top-k filter"),
    task=text(
        "实现 top_k_filter(logits, k)：logits 为 (..., V)，保留每行最大的 k 个 logits（与第 k 大值相等的也保留），其余置为 -inf；k >= V 时全部保留。保留的 logits 原样返回。",
        "Write top_k_filter(logits, k): logits is (..., V); keep each row's k largest logits (ties with the k-th largest "
        "stay), set the rest to -inf; k >= V keeps everything. Kept logits are returned unchanged.",
    ),
    hints=(
        text("-inf 经过 softmax 后概率为 0，所以过滤在 logits 上做。", "-inf becomes probability 0 after the softmax, so filter the logits."),
        text("第 k 大的值：torch.topk(logits, k, dim=-1).values[..., -1:]。", "The k-th largest: torch.topk(logits, k, dim=-1).values[..., -1:]."),
    ),
    questions=("decoding-top-k-sampling", "decoding-sampling-vs-search"),
    checks=(_top_k_matches, _top_k_ties),
)

# -- top-p ------------------------------------------------------------------------------------------------------


def _top_p_reference(logits: Any, p: float) -> Any:
    from transformer_core.decoding import top_p_filter

    return top_p_filter(logits, p)


def _top_p_mistakes(logits: Any, p: float) -> list:
    import torch

    sorted_logits, order = logits.sort(dim=-1, descending=True)
    probs = sorted_logits.softmax(-1)
    cumulative = probs.cumsum(-1)

    def unsort(remove_sorted: Any) -> Any:
        return logits.masked_fill(remove_sorted.scatter(-1, order, remove_sorted), float("-inf"))

    return [
        (
            text(
                "把越过 p 的那个词元也丢掉了：应保留“前面词元的概率和 < p”的所有词元，所以越过 p 的词元在核内。",
                "The token that crosses p was dropped: keep every token whose higher-ranked tokens sum to less than p, so the crossing token is in the nucleus.",
            ),
            unsort(cumulative > p),
        ),
        (
            text("过滤结果要放回原来的词元顺序（scatter 回去），不能返回排好序的 logits。", "Put the result back in the original token order (scatter it back); do not return the sorted logits."),
            sorted_logits.masked_fill(cumulative - probs >= p, float("-inf")),
        ),
        (
            text("累加的是概率（softmax 之后），不是 logits。", "Accumulate probabilities (after softmax), not logits."),
            unsort(sorted_logits.cumsum(-1) - sorted_logits >= p),
        ),
    ]


@check(
    "matches-transformer-core",
    en="For random logits of shapes (8,), (3, 10), (2, 2, 12) in float32 and float64 and p = 0.1, 0.5, 0.9, 0.95, "
    "equals transformer_core's top_p_filter exactly (tokens in their original order, kept logits unchanged).",
    zh="对形状为 (8,)、(3, 10)、(2, 2, 12) 的 float32、float64 随机 logits 以及 p = 0.1、0.5、0.9、0.95，与 transformer_core 的 top_p_filter 完全相同"
    "（词元保持原顺序，保留的 logits 不变）。",
    hint_en="Sort descending, softmax, cumulative sum; remove a token when the mass ranked above it (cumsum - prob) is >= p; scatter the decision back to the original order.",
    hint_zh="降序排序、softmax、累加；当排在它前面的概率和（cumsum - prob）>= p 时移除该词元；再把结果 scatter 回原顺序。",
)
def _top_p_matches(top_p_filter: Any, ctx: "DrillContext") -> None:
    for dtype in ctx.dtypes:
        for shape in ((8,), (3, 10), (2, 2, 12)):
            for p in (0.1, 0.5, 0.9, 0.95):
                logits = ctx.randn(*shape, dtype=dtype, scale=2.0)
                ctx.equal(ctx.call(top_p_filter, logits, p), _top_p_reference(logits, p), inputs={"logits": logits, "p": p}, mistakes=lambda: _top_p_mistakes(logits, p))


@check(
    "nucleus-edges",
    en="With probabilities (0.5, 0.3, 0.15, 0.05) shuffled, p = 0.7 keeps the two tokens (0.5 and the 0.3 that crosses p) and "
    "p = 0.85 keeps three; p near 0 keeps only the most likely token, even when it alone exceeds p; p = 1 keeps every token.",
    zh="概率为 (0.5, 0.3, 0.15, 0.05)（打乱顺序）时，p = 0.7 保留两个词元（0.5 和越过 p 的 0.3），p = 0.85 保留三个；p 接近 0 时只保留最可能的词元（即使它单独就超过 p）；p = 1 保留全部。",
    hint_en="The nucleus is the smallest set reaching p: the token that crosses p belongs to it, and the top token is always in it.",
    hint_zh="核是概率和达到 p 的最小集合：越过 p 的那个词元属于核，排第一的词元总在核内。",
)
def _top_p_edges(top_p_filter: Any, ctx: "DrillContext") -> None:
    import torch

    logits = torch.tensor([0.15, 0.5, 0.05, 0.3], dtype=torch.float64).log()
    for p in (0.7, 0.85, 1e-9, 1.0):
        ctx.equal(ctx.call(top_p_filter, logits, p), _top_p_reference(logits, p), inputs={"logits": logits, "p": p}, mistakes=lambda: _top_p_mistakes(logits, p))
    batch = ctx.randn(3, 6, scale=1.0)
    ctx.equal(ctx.call(top_p_filter, batch, 1.0), _top_p_reference(batch, 1.0), inputs={"logits": batch, "p": 1.0}, mistakes=lambda: _top_p_mistakes(batch, 1.0))


TOP_P_FILTER = Drill(
    id="top-p-filter",
    entry="top_p_filter",
    reference="top_p_filter.py",
    title=text("top-p（核）过滤", "Top-p (nucleus) filter"),
    task=text(
        "实现 top_p_filter(logits, p)：返回相同形状的 logits，核以外的词元设为 -inf。核是概率最高、累计概率达到 p 的最小词元集合（排第一的词元总保留，越过 p 的那个也保留）。"
        "保留的 logits 原样留在原来的位置。",
        "Write top_p_filter(logits, p): return logits of the same shape with every token outside the nucleus set to "
        "-inf. The nucleus is the smallest set of most likely tokens whose total probability reaches p (the top token "
        "always stays; so does the one that crosses p). Kept logits stay unchanged in their original positions.",
    ),
    hints=(
        text("降序排序后算累计概率；一个词元被保留当且仅当排在它前面的概率和 < p。", "Sort descending and accumulate; a token stays exactly when the tokens ranked above it sum to less than p."),
        text("用 scatter 把排序后的判断放回原顺序。", "Use scatter to put the sorted decision back into the original order."),
    ),
    questions=("decoding-top-p-sampling", "decoding-top-k-sampling", "decoding-sampling-vs-search"),
    checks=(_top_p_matches, _top_p_edges),
)
