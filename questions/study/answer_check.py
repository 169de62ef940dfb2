"""Score a typed answer against a question's key points, in Chinese, English or a mix.

Each key point is reduced to its content terms; a point is covered when enough
of its terms (weighted) appear in the answer. Terms match fuzzily, so typos,
inflections and word-order changes still count, and through a table of domain
synonyms whose groups span both languages ("线性投影" / "linear projection",
"变大" / "grows", "查询" / "query"), so paraphrases and the habit of typing
technical words in English inside a Chinese answer count too. Both languages
of a key point are tried and the better score kept (the Chinese one on a tie
when Chinese was typed).

What keeps wrong answers from scoring:
- a negation stays with its term ("不是近似" -> "¬approximation"), so the
  opposite claim does not match;
- terms the question itself uses weigh half and count only beside a term it
  does not use: restating the question covers nothing;
- a bare list of terms ("Q K V softmax 矩阵 权重 ...") covers nothing
  (``AnswerCheck.keyword_list`` says why).

Chinese is segmented with jieba (imported on first use: loading its
dictionary takes about a second, so never at start-up), with the domain terms
and synonyms added to its dictionary and a few general words that swallow
domain phrases removed ("过大使" is not "ambassador"). A Chinese term also
counts when it, or a Chinese synonym of it, appears verbatim in the answer, or
when most of its character pairs do ("初始化" ~ "初始"): the check does not
depend on how jieba happens to split a phrase. English uses regex tokens, a
light suffix stemmer and rapidfuzz similarity.

Measured on hand-labelled answers to real bank questions:
``python -m tests.questions.study.answer_eval`` prints precision and recall
per key point.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from fsrs import Rating

from questions.model import Lang, Question, Text
from questions.study.grading import rating_for_coverage

TERM_SIMILARITY = 85.0  # rapidfuzz ratio (0-100) at which two terms count as the same word
EXACT_BELOW = 5  # terms shorter than this must match exactly: "mean" ~ "man" scores 86
COVERED_SCORE = 0.5  # weighted share of a key point's terms needed to call it covered
MATH_WEIGHT = 0.5  # a term from a $...$ formula illustrates the point; the prose states it
BIGRAM_SHARE = 0.5  # share of a long Chinese term's character pairs present for it to count ("初始化" ~ "初始")
ECHO_WEIGHT = 0.5  # a key-point term the question itself uses ("Q, K and V") restates the question
KEYWORD_LIST_MIN = 6  # this many bare space-separated terms and no connecting words: a list, not an answer

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_LATIN_TOKEN = re.compile(r"[a-z0-9]+")
_LATIN_WORD = re.compile(r"[a-z0-9]+|[^\sa-z0-9]")  # a token, or one punctuation mark
NEGATED = "¬"
NEGATIONS = frozenset(
    ("不", "没", "没有", "无", "非", "未", "并非", "不是", "不要", "不用", "不会", "not", "no", "never", "without", "nor")
)

# Math as people type it: "√d_k", "sqrt(dk)", "d k" all mean the same term.
_MATH_REWRITES = (
    (re.compile(r"√"), " sqrt "),
    (re.compile(r"\\sqrt"), " sqrt "),
    (re.compile(r"(?<=[a-zα-ω])_[{(]?([a-z0-9]+)[})]?"), r"\1"),  # d_k, d_{model}, d_(model) (rendered) -> dk, dmodel
    (re.compile(r"\bd\s+(k|v|q|model|ff)\b"), r"d\1"),  # "d k" -> dk
    (re.compile(r"\bo\(([^()]{1,24})\)"), lambda m: " bigo" + re.sub(r"[^a-z0-9]", "", m.group(1)) + " "),
    (re.compile(r"[$\\{}]"), " "),
    (re.compile(r"\bone[- ]hot\b"), "onehot"),  # "one" alone is a stopword
    # "q·k", "QKᵀ", "dot product", "dot-products" (and "dot prodcut") are one concept
    (re.compile(r"\bq\s*·\s*k\b|\bqkᵀ|\bqk\^?t\b|\bdot[- ]?pro\w*"), " dotproduct "),
)

ENGLISH_STOPWORDS = frozenset(
    """a an the of to in on at by for with from as and or but if then than so that this these those it its
    is are was were be been being has have had do does did can could will would should may might must get gets got
    which who whom what when where why how there here like toward towards into onto over under about also just only very
    not no each every any all some such more most less many much we you they he she i our your their
    us them via per while within because thus hence therefore e g ie eg etc""".split()
)
CHINESE_STOPWORDS = frozenset(
    """的 了 是 在 和 与 及 或 等 会 就 也 都 而 把 被 让 使 这 那 这个 那个 一个 我们 它 它们 其 之 为 以 对 从
    中 上 下 里 时 后 前 并 且 但 则 即 如 若 因为 所以 因此 可以 能 能够 进行 通过 一种 一些 很 更 最 较 比较 非常
    要 需要 得 地 着 过 还 又 再 已 已经 用 用于 来 去 个 种 些 之间 的话 这样 那样 如果 就是 也是 不是 有
    经 经过 得到 各 各有 各自 自己 每个 每一个 二者 两者 需 只 只需 只要 仍 仍然 均 成 本 本身 该 所 其他 别的
    一下 一直 这些 那些 之后 时候 的时候 然后 再用 起来 出来 叫 叫做 称为 相当于 其实 本质 本质上 就是说 每 一 做
    随 随着 根据 这时 此时 那么 于是 总之 另外 而且 甚至 还是 可能 一样地 直接 只是 真正""".split()
)

# Groups of interchangeable words; the first of each is the canonical form. Groups
# mix languages on purpose: a key point written in Chinese and an answer that
# says "linear projection" (or the reverse) meet on the same canonical term, as
# Chinese interview answers routinely switch language for technical words. Kept
# domain-specific: every entry is a paraphrase seen in interview answers, and a
# broad thesaurus would let unrelated answers match.
SYNONYM_GROUPS: tuple[tuple[str, ...], ...] = (
    ("grow", "increase", "rise", "larger", "bigger", "large", "big", "higher", "explode", "blow",
     "增大", "变大", "增加", "增长", "上升", "变高", "越大", "扩大", "爆炸", "过大", "太大", "很大", "大"),
    ("shrink", "decrease", "reduce", "smaller", "small", "lower", "decline", "diminish", "drop",
     "减小", "变小", "降低", "下降", "减少", "越小", "缩小", "降到", "很小", "小"),
    ("vanish", "disappear", "消失", "趋于零", "接近零", "趋近于零", "接近0", "趋于0"),
    ("gradient", "grad", "梯度", "导数"),
    ("variance", "var", "spread", "std", "deviation", "方差", "标准差", "波动"),
    ("dotproduct", "点积", "内积", "点乘"),
    ("mean", "expectation", "expected", "average", "均值", "期望", "平均", "平均值"),
    ("dimension", "dim", "dimensionality", "width", "维度", "维数", "维"),
    ("saturate", "saturation", "peaky", "peaked", "饱和", "饱和区"),
    ("sharp", "sharper", "sharpness", "尖锐", "尖", "锐利"),
    ("flat", "flatter", "平坦", "平", "平滑分布"),
    ("sequence", "seq", "序列"),
    ("parameter", "param", "weight", "参数", "权重"),
    ("compute", "computation", "calculate", "calculation", "flop", "cost", "计算量", "计算", "开销", "算", "代价", "成本"),
    ("memory", "mem", "显存", "内存"),
    ("token", "word", "subword"),
    ("position", "positional", "location", "位置", "顺序"),
    ("normalize", "normalise", "normalization", "normalisation", "norm", "归一化", "标准化", "规范化"),
    ("layernorm", "ln", "层归一化"),
    ("batchnorm", "bn", "批归一化"),
    ("stable", "stability", "stabilize", "stabilise", "稳定", "稳定性", "平稳", "稳定下来"),
    ("scale", "divide", "rescale", "缩放", "除以", "除"),
    ("keep", "restore", "maintain", "preserve", "保持", "恢复", "维持", "保留", "带着"),
    ("unit", "one", "1"),
    ("zero", "0"),
    # -- attention and its parts
    ("linear", "线性"),
    ("projection", "project", "transformation", "transform", "投影", "线性变换", "变换", "全连接"),
    ("learn", "learnable", "learnt", "trainable", "学习", "可学习", "可训练", "训练出来", "学出来", "学到"),
    ("matrix", "matrices", "矩阵"),
    ("vector", "向量"),
    ("input", "输入"),
    ("output", "输出"),
    ("query", "查询"),
    ("key", "键"),
    ("value", "值"),
    ("attention", "注意力", "关注"),
    ("weighted", "加权"),
    ("match", "匹配", "配对", "相关性", "打分"),
    ("content", "information", "info", "内容", "信息"),
    ("decouple", "decoupled", "separate", "解耦", "分开", "分离"),
    ("decide", "determine", "responsible", "负责", "决定", "管", "只管"),
    ("carry", "hold", "承载", "携带", "装", "存", "提供"),
    ("pass", "transfer", "传递", "传过去", "传"),
    ("convex", "凸"),
    ("differentiable", "可微", "可导", "可微分"),
    ("smooth", "光滑", "平滑", "soft"),
    ("temperature", "温度"),
    ("overflow", "溢出"),
    ("mask", "masking", "掩码", "屏蔽", "遮挡", "遮住"),
    ("causal", "因果"),
    ("residual", "残差"),
    ("identity", "恒等", "单位矩阵"),
    ("jacobian", "雅可比", "雅可比矩阵"),
    ("head", "头", "每头", "每个头"),
    ("subspace", "子空间"),
    ("prune", "剪枝", "剪掉", "去掉头"),
    # -- training and decoding
    ("train", "training", "训练"),
    ("inference", "推理", "生成", "generation"),
    ("parallel", "parallelise", "parallelize", "并行"),
    ("sequential", "serial", "串行", "逐步"),
    ("cache", "cached", "缓存"),
    ("reuse", "复用", "重复使用"),
    ("append", "追加", "拼接", "拼到"),
    ("mismatch", "inconsistent", "不一致", "不匹配"),
    ("label", "标签"),
    ("target", "目标"),
    ("shift", "右移", "移位", "shifted"),
    ("greedy", "贪心", "贪婪"),
    ("uniform", "均匀", "均匀分布"),
    ("ranking", "rank", "order", "排序", "大小顺序"),
    ("entropy", "熵"),
    ("random", "随机", "多样"),
    ("deterministic", "确定", "确定性"),
    ("exact", "精确", "精确计算"),
    ("approximation", "approximate", "近似"),
    ("bandwidth", "带宽"),
    ("tiling", "tile", "block", "分块", "切块"),
    ("recompute", "recomputation", "重算", "重新计算"),
    ("statistic", "statistics", "统计量", "统计"),
    ("initialisation", "initialization", "init", "初始化", "初始"),
    ("optimise", "optimize", "optimisation", "optimization", "优化"),
    ("optimiser", "optimizer", "优化器"),
    ("activation", "激活", "激活值"),
    ("magnitude", "尺度", "量级", "幅度"),
    ("easy", "easier", "easily", "易于", "容易", "好训练"),
    ("increment", "增量"),
    ("early", "浅层", "底层", "前面的层"),
    ("sublayer", "子层"),
    ("collapse", "坍缩", "塌缩", "退化成"),
    ("symmetry", "symmetric", "对称", "对称性"),
    ("permutation", "排列", "打乱"),
    ("equivariant", "等变"),
    ("rotate", "rotation", "旋转"),
    ("relative", "相对"),
    ("extrapolate", "extrapolation", "外推"),
    ("interpolation", "插值"),
    ("merge", "合并"),
    ("frequent", "frequency", "频次", "频率", "次数", "词频", "常见"),
    ("highest", "最高", "最多", "最常见", "最大"),
    ("record", "记录", "记下", "记住"),
    ("rule", "规则"),
    ("vocabulary", "vocab", "词表", "词汇表"),
    ("character", "char", "字符", "字"),
    ("tokenise", "tokenize", "tokenisation", "tokenization", "encode", "分词", "切分"),
    ("regularise", "regularize", "regularisation", "regularization", "正则", "正则化"),
    ("calibration", "calibrate", "校准"),
    ("generalisation", "generalization", "泛化"),
    ("overconfident", "过度自信", "过于自信"),
    ("bounded", "有界", "有上界"),
    ("infinite", "infinity", "无穷", "无穷大", "无穷多"),
    ("perplexity", "困惑度"),
    ("diverge", "发散"),
    ("unreliable", "不可靠"),
    ("adaptive", "自适应"),
    ("warmup", "预热"),
    ("learningrate", "学习率", "lr"),
    ("past", "previous", "earlier", "历史", "以前", "之前", "前面", "先前"),
    ("step", "步", "一步", "每步", "每一步"),
    ("layer", "层", "一层", "每层", "每一层"),
    ("cannot", "无法", "不能", "没法", "没办法"),
    ("equal", "same", "identical", "unchanged", "invariant", "invariance", "相同", "一样", "相等", "等于", "不变"),
    ("stack", "stacking", "堆叠", "堆", "叠"),
    ("prevent", "avoid", "防止", "避免"),
    ("start", "begin", "开始", "先", "首先", "起初"),
    ("symbol", "符号"),
    ("near", "close", "附近", "靠近", "接近"),
    ("bottleneck", "瓶颈"),
    ("hidden", "隐藏", "隐状态"),
    ("future", "未来", "后面", "之后的"),
    ("copy", "copies", "抄", "照抄", "复制"),
    ("sentence", "句子", "一句话", "两句话", "句"),
    ("representation", "表示", "表征"),
    ("distance", "距离"),
    ("exist", "存在"),
    ("whole", "entire", "全部", "整个", "所有", "全体"),
    ("finish", "finished", "complete", "completed", "完成", "结束", "终止", "结束符"),
    ("store", "save", "保存", "存储", "存起来", "存下", "存下来"),
    ("worse", "degrade", "hurt", "变差", "更差", "变坏", "退化"),
    ("short", "shorter", "偏短", "短", "短句", "过短"),
    ("typical", "typically", "usually", "常用", "一般", "通常"),
    ("size", "大小", "数量", "个数"),
    ("advantage", "benefit", "优势", "优点", "好处"),
    ("three", "三个"),
    ("precompute", "precomputable", "预计算", "提前算好", "提前计算", "预先计算"),
    ("elementwise", "逐元素", "按元素", "逐位"),
    ("embedding", "embed", "嵌入", "词向量", "词嵌入"),
    ("accumulate", "compound", "累积", "累加", "积累", "越积越多"),
    ("unseen", "未见", "没见过", "没见到"),
)
# Phrases rewritten before tokenising, where a multi-word idea has one-word forms
# in the key points ("weighted sum" and "加权求和" state "weighted average").
_PHRASE_REWRITES = (
    (re.compile(r"weighted\s+sum|加权求和|加权和|加权相加"), " weighted average "),
    (re.compile(r"cross[- ]?entropy"), " crossentropy "),
    (re.compile(r"n['’]t\b"), " not"),  # "isn't", "doesn't"
    (re.compile(r"\bnot\s+only\b"), " "),  # "not only X but Y" asserts X
    (re.compile(r"不改变|不会改变|没有改变|不会变|没有变化|不变化"), " 不变 "),
    (re.compile(r"\b(?:does|do|did|will|would) not change\b|\bnot changed?\b"), " unchanged "),
    (re.compile(r"降维"), " 维度降低 "),
    (re.compile(r"element[- ]wise"), " elementwise "),
    (re.compile(r"\bqkv\b"), " q k v "),  # "QKV" names all three
    (re.compile(r"warm[- ]?up"), " warmup "),
    (re.compile(r"learning[- ]rates?"), " learningrate "),
    (re.compile(r"linear\s+(?:layer|projection|map)s?"), " linear projection "),
    (re.compile(r"over[- ]?confiden\w*"), " overconfident "),
    (re.compile(r"layer\s*norm\w*"), " layernorm "),
    (re.compile(r"batch\s*norm\w*"), " batchnorm "),
)
# Domain words jieba's general dictionary splits apart ("雅可比" -> "雅" "可比").
CHINESE_TERMS = (
    "雅可比", "点积", "头宽", "归一化", "层归一化", "批归一化", "位置编码", "注意力", "自注意力", "多头",
    "残差", "掩码", "编码器", "解码器", "前馈", "词嵌入", "温度", "困惑度", "解耦", "可学习", "可训练", "频次",
    "各有", "右移", "重算", "统计量", "子空间", "残差流", "交叉熵", "秩坍缩", "凸组合", "过大", "太大",
    "等变", "排列等变", "隐藏状态", "长距离", "矩阵乘", "矩阵乘法", "主权重",
)
# General-dictionary words that swallow a domain phrase: "logit 过大使 softmax 饱和" must
# cut as "过大 / 使", not "过 / 大使" (ambassador); "矩阵乘用" is not "乘用" (passenger car),
# "主权重" not "主权" (sovereignty), "预计算" not "预计" (estimate).
GENERAL_WORDS_NOT_IN_DOMAIN = ("大使", "乘用", "主权", "预计")
_CANONICAL: dict[str, str] = {}  # filled below, once the stemmer is defined


@dataclass(frozen=True)
class KeyPointMatch:
    """How well the answer covers one key point."""

    index: int
    text: Text
    score: float  # 0..1: weighted share of the point's terms found in the answer
    covered: bool
    lang: Lang  # the language of the key point that scored best
    matched_terms: tuple[str, ...]
    missing_terms: tuple[str, ...]


@dataclass(frozen=True)
class AnswerCheck:
    question_id: str
    points: tuple[KeyPointMatch, ...]
    # The answer is a bare list of terms ("Q K V softmax 矩阵 权重 ..."): it states no
    # relation between them, so no key point counts as covered whatever terms it names.
    keyword_list: bool = False

    @property
    def covered(self) -> tuple[KeyPointMatch, ...]:
        return tuple(point for point in self.points if point.covered)

    @property
    def missed(self) -> tuple[KeyPointMatch, ...]:
        return tuple(point for point in self.points if not point.covered)

    @property
    def coverage(self) -> float:
        return len(self.covered) / len(self.points) if self.points else 0.0

    @property
    def suggested_rating(self) -> Rating:
        return rating_for_coverage(self.coverage)


def check_typed_answer(question: Question, answer: str, *, covered_score: float = COVERED_SCORE) -> AnswerCheck:
    """Which of ``question``'s key points ``answer`` covers, and the rating that suggests."""
    answer_terms = _AnswerTerms(answer)
    keyword_list = answer_terms.is_keyword_list()
    # No Chinese typed: only the English points are tried, and jieba stays unloaded. With
    # Chinese typed, the Chinese point is tried first so that it is the one shown on a tie
    # (shared canonical terms often make both languages score the same).
    langs: tuple[Lang, ...] = ("zh", "en") if answer_terms.has_cjk else ("en",)
    echoed = frozenset(term for lang in langs for term in _question_terms(question.question.get(lang)))
    points = []
    for index, point in enumerate(question.key_points.pairs()):
        candidates = [_score_point(point.get(lang), lang, answer_terms, echoed) for lang in langs]
        score, lang, matched, missing = max(candidates, key=lambda c: c[0])
        points.append(
            KeyPointMatch(
                index=index,
                text=point,
                score=round(score, 3),
                covered=score >= covered_score and not keyword_list,
                lang=lang,
                matched_terms=matched,
                missing_terms=missing,
            )
        )
    return AnswerCheck(question_id=question.id, points=tuple(points), keyword_list=keyword_list)


def warm_up_chinese() -> None:
    """Load jieba's dictionary now (about a second), e.g. in a worker when a typed-answer
    screen opens, so the first Chinese answer is checked without a pause."""
    _cut_chinese("注意力机制")


class _AnswerTerms:
    """The typed answer, normalised and tokenised once, with a cache of term lookups."""

    def __init__(self, answer: str) -> None:
        self.raw = answer
        self.text = _normalise(answer)
        self.has_cjk = bool(_CJK.search(self.text))
        self.tokens = set(terms(answer))
        self._affirmed = [token for token in self.tokens if not token.startswith(NEGATED)]
        # Character pairs inside each run of Chinese: paraphrases keep most of them
        # even where jieba cuts the same words differently.
        self.bigrams = {run[i : i + 2] for run in _CJK_RUN.findall(self.text) for i in range(len(run) - 1)}
        self._best: dict[str, float] = {}

    def is_keyword_list(self) -> bool:
        """Whether the answer is only space-separated bare terms, with no word joining them."""
        chunks = self.raw.split()
        if len(chunks) < KEYWORD_LIST_MIN or re.search(r"[,，。.;；:：、!?！？()（）=→]", self.raw):
            return False
        # each chunk must be exactly one content term; a connecting word ("的", "is") or a
        # phrase inside a chunk means the answer says something about its terms
        return all(len(_segment_words(chunk)) == 1 and len(terms(chunk)) == 1 for chunk in chunks)

    def similarity(self, term: str) -> float:
        """Best similarity (0-100) of ``term`` to any answer token (or a verbatim occurrence)."""
        if term not in self._best:
            from rapidfuzz import fuzz, process

            negated = term.startswith(NEGATED)
            if term in self.tokens:
                best = 100.0
            elif negated:  # a negated claim needs the same negation, not a near spelling of the word alone
                same_polarity = [token for token in self.tokens if token.startswith(NEGATED)]
                found = process.extractOne(term, same_polarity, scorer=fuzz.ratio) if same_polarity else None
                best = float(found[1]) if found and len(term) > EXACT_BELOW else 0.0
            elif _CJK.search(term) and term in self.text:
                best = 100.0
            elif any(alias in self.text for alias in _CHINESE_ALIASES.get(term, ())):
                best = 100.0  # "线性关系" holds "线性" (linear) even where jieba keeps the phrase whole
            elif _CJK.search(term) and len(term) >= 3:
                pairs = {term[i : i + 2] for i in range(len(term) - 1)}
                share = len(pairs & self.bigrams) / len(pairs)
                best = 100.0 if share >= BIGRAM_SHARE else 100.0 * share
            elif len(term) < EXACT_BELOW:
                best = 0.0
            else:
                found = process.extractOne(term, self._affirmed, scorer=fuzz.ratio) if self._affirmed else None
                best = float(found[1]) if found else 0.0
            self._best[term] = best
        return self._best[term]


def _score_point(
    point: str, lang: Lang, answer: _AnswerTerms, echoed: frozenset[str]
) -> tuple[float, Lang, tuple[str, ...], tuple[str, ...]]:
    """Weighted share of ``point``'s terms found in the answer.

    Terms the question itself uses (``echoed``) weigh less, and count only beside a term
    it does not use: repeating the question's words shows no knowledge.
    """
    point_terms = _weighted_terms(point)
    if not point_terms:
        return 0.0, lang, (), ()
    matched, missing = [], []
    total = found = 0.0
    says_more = all(term in echoed for term in point_terms)  # a point made of the question's words
    for term, weight in point_terms:
        if term in echoed:
            weight *= ECHO_WEIGHT
        total += weight
        if answer.similarity(term) >= TERM_SIMILARITY:
            found += weight
            matched.append(term)
            says_more = says_more or term not in echoed
        else:
            missing.append(term)
    return (found / total if says_more else 0.0), lang, tuple(matched), tuple(missing)


@lru_cache(maxsize=512)
def _question_terms(text: str) -> tuple[str, ...]:
    return tuple(terms(text))


@lru_cache(maxsize=2048)  # the bank's key points are re-checked with every answer
def _weighted_terms(point: str) -> tuple[tuple[str, float], ...]:
    """A key point's terms with their weights; a term in both prose and formula keeps the larger."""
    weights: dict[str, float] = {}
    prose = _FORMULA.sub(" ", point)
    # "FLOPs 仍是 $O(n^2d)$": when the prose names at most one term, the formula is the claim
    math_weight = MATH_WEIGHT if len(terms(prose)) > 1 else 1.0
    for text, scale in ((prose, 1.0), *((formula, math_weight) for formula in _FORMULA.findall(point))):
        for term in terms(text):
            # a single Chinese character or a one-letter symbol carries little meaning alone
            weight = scale * (0.5 if len(term) == 1 else 1.0)
            weights[term] = max(weights.get(term, 0.0), weight)
    return tuple(weights.items())


_FORMULA = re.compile(r"\$\$.+?\$\$|\$[^$]+\$", re.DOTALL)


def terms(text: str) -> list[str]:
    """Content terms of ``text``: normalised, stemmed, synonym-canonical, stopwords dropped.

    A negation ("不", "没有", "not", "without") marks the next content term as negated
    ("¬approximation"), so "exact, not an approximation" and "it is an approximation"
    no longer share that term. Its reach ends at punctuation.
    """
    out: list[str] = []
    negate = False
    for word in _words(_normalise(text)):
        if word in NEGATIONS:
            negate = True
        elif not (_CJK.search(word) or _LATIN_TOKEN.fullmatch(word)):
            negate = False  # punctuation
        elif (term := _content_term(word)) is not None:
            out.append(NEGATED + term if negate else term)
            negate = False
    return out


def _words(text: str) -> list[str]:
    """Words and punctuation marks of normalised ``text`` in order; Chinese cut by jieba."""
    words: list[str] = []
    for piece in _segments(text):
        if not _CJK.search(piece):
            words.extend(_LATIN_WORD.findall(piece))
            continue
        for word in _cut_chinese(piece):
            words.extend([word] if _CJK.search(word) else _LATIN_WORD.findall(word))  # "softmax", "d_k" inside Chinese
    return words


def _content_term(word: str) -> str | None:
    """The canonical term for one word, or None for a stopword."""
    if _CJK.search(word):
        return None if word in CHINESE_STOPWORDS else _CANONICAL.get(word, word)
    if word in ENGLISH_STOPWORDS:
        return None
    stemmed = _stem(word)
    # "scaling" stems to "scal": try the silent-e form before giving up on the synonym table
    return _CANONICAL.get(word) or _CANONICAL.get(stemmed) or _CANONICAL.get(stemmed + "e") or stemmed


def _segment_words(text: str) -> list[str]:
    """Every word of ``text``, stopwords included, in order."""
    words: list[str] = []
    for piece in _segments(_normalise(text)):
        if _CJK.search(piece):
            words.extend(word for word in _cut_chinese(piece) if word.strip())
        else:
            words.extend(_LATIN_TOKEN.findall(piece))
    return words


def _segments(text: str) -> list[str]:
    """Split text into runs of CJK and runs of everything else."""
    return [m.group(0) for m in re.finditer(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[^\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+", text)]


def _stem(word: str) -> str:
    """A light English suffix stripper: enough for plural, -ing, -ed, -ly forms to meet."""
    if len(word) <= 4 or word.isdigit():
        return word
    for suffix, replacement in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("ly", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            if suffix == "es" and not word.endswith(("ses", "xes", "zes", "ches", "shes")):
                return word[:-1]  # "variances" -> "variance", not "varianc"
            if suffix == "s" and word.endswith("ss"):
                return word
            return word[: -len(suffix)] + replacement
    return word


def _normalise(text: str) -> str:
    from questions.render import render_math

    # Key points carry $...$ LaTeX; compare what a reader sees ("Var(q·k)=d_k"), not macro names.
    text = unicodedata.normalize("NFKC", render_math(text)).lower()
    for pattern, replacement in (*_MATH_REWRITES, *_PHRASE_REWRITES):
        text = pattern.sub(replacement, text)
    return text


_jieba_lock = threading.Lock()


@lru_cache(maxsize=4096)
def _cut_chinese(text: str) -> tuple[str, ...]:
    with _jieba_lock:  # jieba initialises its dictionary lazily and not thread-safely
        jieba = _jieba()
        return tuple(jieba.lcut(text))


@lru_cache(maxsize=1)
def _jieba():
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)  # its "Building prefix dict" chatter would land on the terminal
    for word in (*CHINESE_TERMS, *(w for group in SYNONYM_GROUPS for w in group if _CJK.search(w))):
        jieba.add_word(word)  # keep domain terms and synonyms whole so matching and the table apply
    for word in GENERAL_WORDS_NOT_IN_DOMAIN:
        jieba.del_word(word)
    return jieba


# Inflected forms meet their group too: "dividing" stems to "divid", as does "divide".
_CANONICAL.update({_stem(word): group[0] for group in SYNONYM_GROUPS for word in group if not _CJK.search(word)})
_CANONICAL.update({word: group[0] for group in SYNONYM_GROUPS for word in group})
# Chinese forms of each canonical term, two characters or more (one character is too
# often part of an unrelated word), looked for verbatim in the answer.
_CHINESE_ALIASES: dict[str, tuple[str, ...]] = {
    group[0]: tuple(word for word in group if _CJK.search(word) and len(word) >= 2) for group in SYNONYM_GROUPS
}
