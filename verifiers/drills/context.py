"""What a check is handed when it runs: seeded inputs, a guarded call into the
candidate's code, and comparisons that fail with a small counterexample.

This module imports torch: only the checking process (``harness``) and tests
import it, never the registry.

A check fails by calling ``ctx.fail`` (or a comparison that calls it), which
raises ``CheckFailed`` carrying the message, the counterexample and, when the
comparison recognised a known mistake, that mistake's hint. Whatever the
candidate's code raises comes out of ``ctx.call`` as ``CandidateRaised``.
"""

from __future__ import annotations

import inspect
import math
import traceback
import zlib
from typing import Any, Callable, Iterable, Mapping, NoReturn, Sequence

import torch
from torch.overrides import TorchFunctionMode

from verifiers.drills.result import Counterexample
from verifiers.drills.tolerances import Tolerance, tolerance_for
from verifiers.result import Bilingual

OUTPUT = Bilingual(zh="输出", en="the output")
VALUES_SHOWN = 12  # a tensor with at most this many values is shown whole
Mistake = tuple[Bilingual, Any]  # (hint, what that mistake would have returned)
# Known mistakes to recognise in a wrong answer; a function returning them is called only on failure.
Mistakes = Sequence[Mistake] | Callable[[], Sequence[Mistake]]


class CheckFailed(Exception):
    """The candidate's code gave a wrong answer; raised by ``DrillContext.fail``."""

    def __init__(self, message: Bilingual, counterexample: Counterexample | None = None, hint: Bilingual | None = None):
        super().__init__(message.en)
        self.message = message
        self.counterexample = counterexample
        self.hint = hint


class CandidateRaised(Exception):
    """The candidate's code raised ``error`` (any ``BaseException``, ``SystemExit`` included)."""

    def __init__(self, error: BaseException, detail: str):
        super().__init__(f"{type(error).__name__}: {error}")
        self.error = error
        self.detail = detail


def seed_for(base_seed: int, *names: str) -> int:
    """A seed that depends only on the base seed and the names (drill id, check id)."""
    return (base_seed * 1_000_003 + zlib.crc32("/".join(names).encode("utf-8"))) % (2**31 - 1)


class DrillContext:
    """One check's view of the run. ``candidate_file`` trims tracebacks to the candidate's own frames."""

    def __init__(self, *, seed: int = 0, forbidden: Sequence[str] = (), candidate_file: str | None = None) -> None:
        self.seed = seed
        self.generator = torch.Generator().manual_seed(seed)
        self.forbidden = _resolve(forbidden)
        self.candidate_file = candidate_file

    # -- inputs -------------------------------------------------------------------------

    dtypes = (torch.float32, torch.float64)

    def randn(self, *shape: int, dtype: torch.dtype = torch.float64, scale: float = 1.0) -> torch.Tensor:
        return (torch.randn(shape, generator=self.generator, dtype=torch.float64) * scale).to(dtype)

    def rand(self, *shape: int, dtype: torch.dtype = torch.float64) -> torch.Tensor:
        return torch.rand(shape, generator=self.generator, dtype=torch.float64).to(dtype)

    def randint(self, low: int, high: int, *shape: int) -> torch.Tensor:
        return torch.randint(low, high, shape, generator=self.generator)

    def new_generator(self) -> torch.Generator:
        """A fresh generator with a seed drawn from this check's stream (for the candidate to use)."""
        return torch.Generator().manual_seed(int(torch.randint(0, 2**31 - 1, (1,), generator=self.generator)))

    # -- calling the candidate --------------------------------------------------------------

    def call(self, function: Callable[..., Any], *args: Any, mutable: Iterable[Any] = (), **kwargs: Any) -> Any:
        """Call the candidate's code; fail if it uses a forbidden library function or changes an input in place.

        ``mutable`` names (by identity) the arguments it is supposed to change,
        e.g. BatchNorm's running statistics.
        """
        allowed = {id(obj) for obj in mutable}
        names = _argument_names(function, args, kwargs)
        before = [(name, value, value.detach().clone()) for name, value in names if _is_tensor(value) and id(value) not in allowed]
        watch = _ForbiddenCalls(self.forbidden)
        try:
            with watch:
                result = function(*args, **kwargs)
        except BaseException as error:  # noqa: BLE001 - everything the candidate raises is reported, sys.exit included
            raise CandidateRaised(error, self._trimmed_traceback(error)) from None
        if watch.used:
            used = ", ".join(sorted(watch.used))
            self.fail(
                Bilingual(
                    zh=f"调用了库函数 {used}：这个练习要求亲手实现它",
                    en=f"it calls {used}; the point of this drill is to write that by hand",
                ),
                hint=Bilingual(zh="用基本的张量运算写出公式。", en="Write the formula out with elementary tensor operations."),
            )
        for name, value, original in before:
            if not _same(value.detach(), original):
                self.fail(
                    Bilingual(zh=f"原地修改了输入 {name}", en=f"it changed its input {name} in place"),
                    inputs={name: original},
                    hint=Bilingual(
                        zh="不要修改调用者的张量：用 x = x - m 而不是 x -= m，避免 masked_fill_ 等带下划线的方法。",
                        en="Leave the caller's tensors alone: write x = x - m rather than x -= m, and avoid in-place "
                        "methods such as masked_fill_.",
                    ),
                )
        return result

    def call_traced(self, function: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[Any, list[tuple[str, tuple[int, ...]]]]:
        """``call``, also returning (torch function, output shape) for every tensor the candidate's code made."""
        tracer = _ShapeTracer()
        with tracer:
            result = self.call(function, *args, **kwargs)
        return result, tracer.shapes

    def _trimmed_traceback(self, error: BaseException) -> str:
        frames = traceback.extract_tb(error.__traceback__)
        own = [f for f in frames if self.candidate_file is not None and f.filename == self.candidate_file]
        shown = own or frames[-1:]
        lines = traceback.format_list(shown) + traceback.format_exception_only(type(error), error)
        return "".join(lines).rstrip()

    # -- failing ----------------------------------------------------------------------------

    def fail(
        self,
        message: Bilingual,
        *,
        inputs: Mapping[str, Any] | None = None,
        expected: Any = None,
        got: Any = None,
        max_error: float | None = None,
        where: str = "",
        hint: Bilingual | None = None,
    ) -> NoReturn:
        counterexample = None
        if inputs is not None or expected is not None or got is not None:
            counterexample = Counterexample(
                inputs=tuple((name, describe(value)) for name, value in (inputs or {}).items()),
                expected="" if expected is None else describe(expected),
                got="" if got is None else describe(got),
                max_error=max_error,
                where=where,
            )
        raise CheckFailed(message, counterexample, hint)

    def require(self, condition: bool, message: Bilingual, **details: Any) -> None:
        if not condition:
            self.fail(message, **details)

    # -- comparing --------------------------------------------------------------------------

    def tensor(self, got: Any, expected: torch.Tensor, *, inputs: Mapping[str, Any], what: Bilingual = OUTPUT) -> torch.Tensor:
        """Fail unless ``got`` is a tensor of ``expected``'s shape and dtype."""
        if not _is_tensor(got):
            self.fail(
                Bilingual(zh=f"{what.zh}应是 torch.Tensor，却是 {type(got).__name__}", en=f"{what.en} should be a torch.Tensor, not {type(got).__name__}"),
                inputs=inputs,
                expected=expected,
                got=got,
            )
        if tuple(got.shape) != tuple(expected.shape):
            self.fail(
                Bilingual(
                    zh=f"{what.zh}形状是 {tuple(got.shape)}，应为 {tuple(expected.shape)}",
                    en=f"{what.en} has shape {tuple(got.shape)}; expected {tuple(expected.shape)}",
                ),
                inputs=inputs,
                expected=expected,
                got=got,
            )
        if got.dtype != expected.dtype:
            self.fail(
                Bilingual(
                    zh=f"{what.zh}的 dtype 是 {_dtype(got)}，应为 {_dtype(expected)}（保持输入的 dtype）",
                    en=f"{what.en} has dtype {_dtype(got)}; expected {_dtype(expected)} (keep the input's dtype)",
                ),
                inputs=inputs,
                expected=expected,
                got=got,
            )
        return got

    def close(
        self,
        got: Any,
        expected: torch.Tensor,
        *,
        inputs: Mapping[str, Any],
        what: Bilingual = OUTPUT,
        tolerance: Tolerance | None = None,
        mistakes: Mistakes = (),
    ) -> None:
        """Fail unless ``got`` equals ``expected`` within the dtype's tolerance (NaN and ±inf must match exactly)."""
        self.tensor(got, expected, inputs=inputs, what=what)
        tolerance = tolerance or tolerance_for(str(expected.dtype))
        errors = _errors(got.detach(), expected.detach())
        bound = tolerance.atol + tolerance.rtol * expected.detach().to(torch.float64).abs().nan_to_num(posinf=0.0, neginf=0.0)
        bad = errors > bound
        if bool(bad.any()):
            worst = _unravel(int(torch.where(bad, errors, torch.zeros_like(errors)).argmax()), tuple(errors.shape))
            max_error = float(errors[bad].max())
            self.fail(
                Bilingual(zh=f"{what.zh}与参考不一致（容差 {tolerance.text()}）", en=f"{what.en} differs from the reference (tolerance {tolerance.text()})"),
                inputs=inputs,
                expected=expected,
                got=got,
                max_error=max_error,
                where=_where(worst, expected, got),
                hint=_diagnose(got, mistakes, tolerance),
            )

    def equal(self, got: Any, expected: Any, *, inputs: Mapping[str, Any], what: Bilingual = OUTPUT, mistakes: Mistakes = ()) -> None:
        """Fail unless ``got`` equals ``expected`` exactly (tensors: shape, dtype and every value)."""
        if _is_tensor(expected):
            self.tensor(got, expected, inputs=inputs, what=what)
            if not _same(got.detach(), expected):
                differ = (got.detach() != expected).reshape(-1).nonzero()
                index = _unravel(int(differ[0]) if len(differ) else 0, tuple(expected.shape))
                self.fail(
                    Bilingual(zh=f"{what.zh}与参考不一致", en=f"{what.en} differs from the reference"),
                    inputs=inputs,
                    expected=expected,
                    got=got,
                    where=_where(index, expected, got),
                    hint=_diagnose(got, mistakes, None),
                )
            return
        if not _plain_equal(got, expected):
            self.fail(
                Bilingual(zh=f"{what.zh}与参考不一致", en=f"{what.en} differs from the reference"),
                inputs=inputs,
                expected=expected,
                got=got,
                hint=_diagnose(got, mistakes, None),
            )

    def number(self, got: Any, expected: float, *, inputs: Mapping[str, Any], what: Bilingual = OUTPUT, rel: float = 1e-9) -> None:
        """Fail unless ``got`` is a real number within ``rel`` relative error of ``expected``."""
        if _is_tensor(got) and got.numel() == 1:
            got = got.item()
        if isinstance(got, bool) or not isinstance(got, (int, float)):
            self.fail(
                Bilingual(zh=f"{what.zh}应是一个数（float），却是 {type(got).__name__}", en=f"{what.en} should be a number (float), not {type(got).__name__}"),
                inputs=inputs,
                expected=expected,
                got=got,
            )
        error = abs(float(got) - expected)
        if not math.isfinite(float(got)) or error > rel * max(abs(expected), 1e-300):
            self.fail(
                Bilingual(zh=f"{what.zh}与参考不一致（相对误差上限 {rel:g}）", en=f"{what.en} differs from the reference (relative tolerance {rel:g})"),
                inputs=inputs,
                expected=expected,
                got=got,
                max_error=error if math.isfinite(error) else math.inf,
            )

    def gradients(
        self,
        candidate: Callable[..., Any],
        reference: Callable[..., Any],
        args: Mapping[str, Any],
        wrt: Sequence[str],
        *,
        keywords: Sequence[str] = (),
    ) -> None:
        """Backpropagate a random weighting of the output through both and compare the gradients.

        ``args`` are passed in order, positionally, except the names in
        ``keywords``; ``wrt`` names the float tensors that need gradients.
        """
        def leaves() -> dict[str, Any]:
            return {
                name: value.detach().clone().requires_grad_(True) if name in wrt else value for name, value in args.items()
            }

        def split(values: dict[str, Any]) -> tuple[list[Any], dict[str, Any]]:
            return [v for k, v in values.items() if k not in keywords], {k: v for k, v in values.items() if k in keywords}

        mine, theirs = leaves(), leaves()
        positional, named = split(mine)
        got = self.call(candidate, *positional, **named)
        positional, named = split(theirs)
        expected = reference(*positional, **named)
        shown = {name: value for name, value in args.items()}
        self.tensor(got, expected, inputs=shown)
        if not got.requires_grad:
            self.fail(
                Bilingual(
                    zh="输出与输入之间没有 autograd 连接，梯度无法回传",
                    en="the output is not connected to the inputs by autograd, so no gradient can flow back",
                ),
                inputs=shown,
                hint=Bilingual(
                    zh="不要用 .detach()、.data、.item()/.tolist()、numpy 或 torch.no_grad() 计算输出。",
                    en="Do not compute the output through .detach(), .data, .item()/.tolist(), numpy or torch.no_grad().",
                ),
            )
        weight = self.randn(*expected.shape, dtype=expected.dtype)
        (got * weight).sum().backward()
        (expected * weight).sum().backward()
        for name in wrt:
            grad = mine[name].grad
            if grad is None:
                self.fail(
                    Bilingual(zh=f"没有梯度流到 {name}", en=f"no gradient reaches {name}"),
                    inputs=shown,
                    hint=Bilingual(zh=f"输出必须经由可微的运算依赖于 {name}。", en=f"The output must depend on {name} through differentiable operations."),
                )
            self.close(
                grad,
                theirs[name].grad,
                inputs=shown,
                what=Bilingual(zh=f"对 {name} 的梯度", en=f"the gradient with respect to {name}"),
            )


# -- describing values -------------------------------------------------------------------


def describe(value: Any) -> str:
    """A short, readable account of a value: a tensor's dtype, shape and a few values."""
    if _is_tensor(value):
        tensor = value.detach()
        head = f"{_dtype(tensor)} {tuple(tensor.shape)}"
        if tensor.numel() == 0:
            return f"{head} (empty)"
        if tensor.numel() <= VALUES_SHOWN:
            return f"{head} {_nested(tensor)}"
        flat = tensor.reshape(-1)[:6]
        return f"{head} [{', '.join(_scalar(v) for v in flat.tolist())}, …] (first 6 of {tensor.numel()} values)"
    if isinstance(value, str):
        return value  # checks pass descriptions of non-data inputs (a model, a corpus) as text
    if isinstance(value, float):
        return _scalar(value)
    if isinstance(value, (tuple, list)) and any(_is_tensor(v) for v in value):
        inner = "; ".join(describe(v) for v in value)
        return f"({inner})" if isinstance(value, tuple) else f"[{inner}]"
    text = repr(value)
    return text if len(text) <= 300 else text[:297] + "…"


def _nested(tensor: torch.Tensor) -> str:
    if tensor.dim() == 0:
        return _scalar(tensor.item())
    return "[" + ", ".join(_nested(row) for row in tensor) + "]"


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return f"{value:.4g}"
    return repr(value)


def _dtype(tensor: torch.Tensor) -> str:
    return str(tensor.dtype).replace("torch.", "")


def _where(index: tuple[int, ...], expected: torch.Tensor, got: torch.Tensor) -> str:
    e = expected.detach()[index].item() if expected.dim() else expected.item()
    g = got.detach()[index].item() if got.dim() else got.item()
    return f"index {index}: expected {_scalar(e)}, got {_scalar(g)}"


def _unravel(flat: int, shape: tuple[int, ...]) -> tuple[int, ...]:
    index = []
    for size in reversed(shape):
        index.append(flat % size if size else 0)
        flat //= max(size, 1)
    return tuple(reversed(index))


# -- comparing values ---------------------------------------------------------------------


def _is_tensor(value: Any) -> bool:
    return isinstance(value, torch.Tensor)


def _errors(got: torch.Tensor, expected: torch.Tensor) -> torch.Tensor:
    """Absolute errors in float64; ``inf`` where one side is NaN/inf and the other is not the same."""
    if got.dtype == torch.bool or expected.dtype == torch.bool:
        return (got != expected).to(torch.float64)
    g, e = got.to(torch.float64), expected.to(torch.float64)
    errors = (g - e).abs()
    matched = (torch.isnan(g) & torch.isnan(e)) | (torch.isinf(e) & (g == e))
    errors = errors.masked_fill(matched, 0.0)
    return errors.nan_to_num(nan=math.inf)


def _same(a: torch.Tensor, b: torch.Tensor) -> bool:
    if a.shape != b.shape or a.dtype != b.dtype:
        return False
    if a.is_floating_point():
        return bool(((a == b) | (torch.isnan(a) & torch.isnan(b))).all())
    return bool(torch.equal(a, b))


def _plain_equal(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    try:
        return bool(a == b)
    except Exception:  # noqa: BLE001 - e.g. comparing a tensor to a list
        return False


def _diagnose(got: Any, mistakes: Mistakes, tolerance: Tolerance | None) -> Bilingual | None:
    """The hint of the first known mistake whose output ``got`` reproduces, if any."""
    for hint, wrong in mistakes() if callable(mistakes) else mistakes:
        if _is_tensor(got) and _is_tensor(wrong):
            if tuple(got.shape) != tuple(wrong.shape):
                continue
            if tolerance is None:
                if _same(got.detach(), wrong):
                    return hint
                continue
            errors = _errors(got.detach(), wrong.detach())
            bound = tolerance.atol + tolerance.rtol * wrong.detach().to(torch.float64).abs().nan_to_num(posinf=0.0, neginf=0.0)
            if bool((errors <= bound).all()):
                return hint
        elif not _is_tensor(got) and not _is_tensor(wrong) and _plain_equal(got, wrong):
            return hint
    return None


def _argument_names(function: Callable[..., Any], args: tuple, kwargs: dict) -> list[tuple[str, Any]]:
    """(parameter name, value) for each argument, flattening tuples/lists (a KV cache is a tuple)."""
    try:
        bound = inspect.signature(function).bind_partial(*args, **kwargs).arguments
        pairs = list(bound.items())
    except (TypeError, ValueError):
        pairs = [(f"argument {i + 1}", value) for i, value in enumerate(args)] + list(kwargs.items())
    flat: list[tuple[str, Any]] = []
    for name, value in pairs:
        if isinstance(value, (tuple, list)):
            flat.extend((f"{name}[{i}]", item) for i, item in enumerate(value))
        else:
            flat.append((name, value))
    return flat


def _resolve(names: Sequence[str]) -> dict[Any, str]:
    """Dotted names of library functions -> the objects torch's function modes see."""
    import importlib

    resolved: dict[Any, str] = {}
    for name in names:
        parts = name.split(".")
        for split in range(len(parts) - 1, 0, -1):
            try:
                obj: Any = importlib.import_module(".".join(parts[:split]))
            except ImportError:
                continue
            try:
                for attribute in parts[split:]:
                    obj = getattr(obj, attribute)
            except AttributeError:
                break  # not in this torch version: nothing to forbid
            resolved[obj] = name
            break
    return resolved


class _ForbiddenCalls(TorchFunctionMode):
    """Records which forbidden torch functions the candidate's code calls (directly or through nn modules)."""

    def __init__(self, forbidden: Mapping[Any, str]) -> None:
        super().__init__()
        self.forbidden = forbidden
        self.used: set[str] = set()

    def __torch_function__(self, func, types, args=(), kwargs=None):  # type: ignore[no-untyped-def]
        name = self.forbidden.get(func) if _hashable(func) else None
        if name is not None:
            self.used.add(name)
        return func(*args, **(kwargs or {}))


class _ShapeTracer(TorchFunctionMode):
    """Records the shape of every tensor that torch functions return while it is active."""

    def __init__(self) -> None:
        super().__init__()
        self.shapes: list[tuple[str, tuple[int, ...]]] = []

    def __torch_function__(self, func, types, args=(), kwargs=None):  # type: ignore[no-untyped-def]
        result = func(*args, **(kwargs or {}))
        outputs = result if isinstance(result, (tuple, list)) else (result,)
        for output in outputs:
            if isinstance(output, torch.Tensor):
                self.shapes.append((getattr(func, "__name__", str(func)), tuple(output.shape)))
        return result


def _hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


__all__ = [
    "OUTPUT",
    "CandidateRaised",
    "CheckFailed",
    "DrillContext",
    "describe",
    "seed_for",
]
