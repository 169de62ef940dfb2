"""How a typed answer (or a key point) becomes polarised content terms, sentence by sentence.

Used by ``answer_check``; nothing here scores anything. The steps:

1. The answer is cut into sentences (``。.!?;；`` and line breaks): a key point is
   looked for inside one to three neighbouring sentences, and the sentence is the
   evidence the review screen shows.
2. Each sentence is normalised: LaTeX rendered, lower-cased, NFKC, and informal
   notation rewritten to one form ("QK^T/sqrt(dk)", "Q times K transpose over
   √d_k", "除以根号dk" all give ``dotproduct scale sqrt dk``); phrases with a
   one-word form become that word ("weighted sum" -> "weighted average").
3. Words: regex tokens for Latin text, jieba for Chinese (loaded on first use,
   in a lock: its dictionary takes about a second), with the domain terms added
   to its dictionary.
4. Negation and contrast at clause level. A negation cue ("not", "no", "never",
   "n't", "instead of", "rather than", "no longer", "不", "没有", "无需",
   "不需要", "并非", "而不是", "不再", ...) marks every content term after it as
   negated ("¬term") until the clause ends: at punctuation (a comma that only
   separates list items does not end it), or at a word that starts a new claim
   ("but", "so", "because", "if", "which", "但", "而是", "所以", "的话", "时",
   "则", ...). "without" and its kin ("without the mask, ...") govern only the
   next two terms, and a privative verb with no object is a plain word ("the
   latency drops and ..."). Two negations in a row assert ("不会没有学习信号",
   "not without"). Chinese words that begin with a negation but mean something
   of their own ("不同", "无关", "未来", "非负") are words, not cues; "no matter
   how" is "regardless". The subject of a negated predicate ("Q、K、V" in "Q、K、V
   不是线性投影得到的") is marked as such: it counts only beside the denied
   predicate, never alone; what an equating verb introduces is its object, not a
   denied predicate ("它等于不带 β 的 LayerNorm"). "rather than" and "instead of"
   negate what follows and leave the claim before them asserted. A formula's
   operators ("1−p", "x + F(x)") stay inside a scope; "for"/"with" right after a
   negated word introduce its complement ("no benefit for deeper models"); a
   second English verb ("the data never touches get worse") and a Chinese
   reporting verb ("说明", "表明", "证明") start a new claim; a negation right
   after a denied verb governs its object ("不需要保持不合并": keeping is denied,
   merging is not); "非" right before a word is the prefix non- ("非对称",
   "非拉丁文字"), except after 而/并/除 ("A 而非 B"). Each sentence keeps its
   denied claims (their subject and the verb the negation governs first) and the
   affirmed terms of each clause, for the checker's contradictions.
5. Content terms: stopwords dropped, English words reduced to their Snowball
   (Porter2) stem, so inflected and derived forms meet ("normalises",
   "normalisation" -> "normalis"; "regulariser", "regularises"), and every word
   of a synonym group (groups mix languages on purpose: "线性投影" / "linear
   projection") mapped to the group's first word, so a paraphrase, or a
   technical word typed in English inside a Chinese answer, meets the key
   point's own term. A word's stem is looked up in the synonym table too
   ("dividing" meets "divide"), unless words of two groups share it.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

NEGATED = "¬"  # prefix of a negated term: "¬approximation"
TOPIC = "~"  # prefix of the subject of a negated predicate: "~variance" in "the variance does not grow"

_CJK_CLASS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK = re.compile(f"[{_CJK_CLASS}]")
_CJK_RUN = re.compile(f"[{_CJK_CLASS}]+")
_LATIN_TOKEN = re.compile(r"[a-z0-9]+")
_LATIN_WORD = re.compile(r"[a-z0-9]+|[^\sa-z0-9]")  # a token, or one punctuation mark
_SEGMENTS = re.compile(f"[{_CJK_CLASS}]+|[^{_CJK_CLASS}]+")

# A sentence ends at a full stop followed by a space (so not inside a number, "0.1"), unless
# the stop ends an abbreviation ("e.g.", "i.e.", "et al.", "vs.", "cf."). Each look-behind sits
# right after the stop, so it names the stop too.
_SENTENCE_END = re.compile(
    r"(?<=[。！？!?；;\n])|(?<=\.)(?<!\be\.g\.)(?<!\bi\.e\.)(?<!\bet al\.)(?<!\bvs\.)(?<!\bcf\.)(?=\s|$)"
)
# "K/V", "(d_k)", "1−p", "x + F(x)": never end a clause; an operator joins the parts of one formula
_NEUTRAL_PUNCTUATION = frozenset("/()（）[]【】'\"“”‘’-−+×·*=≈<>≤≥→^|")

# Negation cues govern the rest of their clause.
NEGATION_CUES = frozenset(
    """not no never nor neither none nothing cannot
    不 没 没有 无 非 未 并非 不是 并不 并没有 不要 不会 不能 不再 不需 无法 没法 没办法
    从不 从来不 从没 决不 绝不 毫无 不可 不可以 不该 不应 不应该 未必 谈不上 算不上 防止 避免 rathernot""".split()
)
# Contrast cues ("A rather than B", "A instead of B") negate what follows and assert what comes
# before; every other negation cue in mid-clause denies a claim about what comes before it.
CONTRAST_CUES = frozenset({"rathernot"})
TOPIC_MAX = 4  # at most this many terms before a negation cue are its subject; more is a claim of its own
# Privative cues govern a short phrase only: "without the mask, the model copies" still asserts the copying.
PRIVATIVE_CUES = frozenset(
    """without against lacking avoid avoids avoided avoiding prevent prevents prevented preventing stop stops stopping
    skip skips skipping drop drops dropping remove removes removing eliminate eliminates
    不用 不需要 无需 无须 不必 用不着 用不到 去掉 省去 省掉 免去""".split()
)
PRIVATIVE_REACH = 2  # content terms a privative cue negates
# After a privative cue, a pronoun is its whole object ("without it, ..."), and a determiner after
# a negated term starts the next phrase ("without scaling the logits grow").
_PRONOUNS = frozenset({"it", "them", "this", "that", "these", "those"})
_DETERMINERS = frozenset({"the", "a", "an", "its", "their", "our", "your", "this", "that"})
# Prepositions end a privative cue's short phrase ("avoids NaN on fully masked rows") but not a
# negated predicate, whose complement they introduce ("does not depend on d_k").
_PREPOSITIONS = frozenset({"in", "on", "at", "during"})
# Clause starters that right after a negated word introduce its complement instead ("gives no benefit
# for deeper models", "does not grow with d_k"): the negation reaches past them.
_NEGATED_COMPLEMENTS = frozenset({"for", "with"})
# Words that start a new claim: a negation before them does not reach past them. The last line:
# verbs that report a claim ("StreamingLLM 说明 [保留开头的 token 没有用]"), which starts after them.
CLAUSE_STARTERS = frozenset(
    """but however yet whereas while so because since therefore thus hence then which when whenever if unless
    although though except instead with where for
    但 但是 而 而是 却 所以 因此 因为 于是 从而 导致 使得 然后 的话 时 时候 的时候 则 就 才 反而 只是 而且 否则 如果 若 当 同时 只要
    说明 表明 证明 发现 认为 指出 显示""".split()
)
# Chinese words that begin with a negation character but are words of their own.
LEXICAL_NEGATIVES = frozenset(
    """不对 不同 不断 不仅 不过 不少 不管 不论 不但 不光 不止 不如 不变 不一致 不匹配 不可靠 不得不 无关 无穷 无穷大 无穷多 无限
    无论 无效 未来 未见 非常 非线性 非负 非零 没关系 未归一化 非归一化 无偏 不等价 不一样 非法 无用 不变性""".split()
)
_NEGATION_PREFIXES = sorted((cue for cue in NEGATION_CUES | PRIVATIVE_CUES if _CJK.search(cue)), key=len, reverse=True)
# Negations that add a second denied claim rather than deny inside the first ("neither A nor B").
_COORDINATING_NEGATIONS = frozenset({"nor", "neither"})
_COPULAS = frozenset({"is", "are", "was", "were", "be", "become", "becomes", "get", "gets", "has", "have"})
_SUBJECTS = frozenset({"we", "they", "you", "i", "it", "he", "she"})  # a subject after a negated term starts a new clause

KEYWORD_LIST_MIN = 6  # this many bare space-separated terms and no connecting words: a list, not an answer
KEYWORD_CHUNKS_MIN = 4  # this many comma-separated chunks, nearly all bare: a list, not an answer

# The plural of an acronym is the acronym: "RNNs", "GPUs", "LLMs" (read before lower-casing; the
# stemmer keeps the "s" of "rnns" and "gpus", so they never met "RNN" and "GPU").
_ACRONYM_PLURAL = re.compile(r"(?<![A-Za-z0-9])([A-Z][A-Z0-9]*[A-Z])s(?![A-Za-z0-9])")

# Math as people type it: "√d_k", "sqrt(dk)", "根号dk", "d k" all mean the same term.
_MATH_REWRITES = (
    (re.compile(r"√|\\sqrt|根号下?|square\s+root\s+of|the\s+root\s+of"), " sqrt "),
    (re.compile(r"(?<=[a-zα-ω])_[{(]?([a-z0-9]+)[})]?"), r"\1"),  # d_k, d_{model}, d_(model) (rendered) -> dk, dmodel
    (re.compile(r"\bd\s+(k|v|q|model|ff)\b"), r"d\1"),  # "d k" -> dk
    (re.compile(r"\bo\(([^()]{1,24})\)"), lambda m: " bigo" + re.sub(r"[^a-z0-9]", "", m.group(1)) + " "),
    (re.compile(r"\bone[- ]hot\b"), "onehot"),  # "one" alone is a stopword
    # "q·k", "QKᵀ", "QK^T", "Q K^T", "Q times K transpose", "Q 乘 K 的转置", "dot product" are one concept
    (re.compile(r"\bq\s*(?:·|\*|times|x|乘以?)?\s*k\s*(?:\^\s*\{?t\}?|ᵀ|\s*(?:的)?\s*(?:transposed?|转置))|\bq\s*·\s*k\b|\bqkᵀ|\bqk\^?t\b|\bdot[- ]?pro\w*"), " dotproduct "),
    (re.compile(r"[$\\{}^]"), " "),
    (re.compile(r"(?<=[a-z0-9)])\s*/\s*(?=sqrt|t\b|√)"), " scale "),  # "QKᵀ/√dk", "z/T": divided by
    (re.compile(r"\be\s*\^?\s*0\s*=\s*1\b|\bexp\s*\(\s*0\s*\)\s*=\s*1\b"), " exp0 "),  # "e^0 = 1": a zero score still weighs
    (re.compile(r"-\s*(?:inf|infinity|∞)(?![a-z])|负无穷大?|minus\s+infinity|negative\s+infinity"), " neginf "),
    (re.compile(r"-\s*1e\s*\d+|很大的?负数|大负数|large\s+negative|big\s+negative"), " bignegative "),
)
ENGLISH_STOPWORDS = frozenset(
    """a an the of to in on at by for with from as and or but if then than so that this these those it its
    is are was were be been being has have had do does did can could will would should may might must get gets got
    which who whom what when where why how there here like toward towards into onto over under about also just only very
    not no each every any all some such more most less many much we you they he she i our your their
    us them via per while within because thus hence therefore e g ie eg etc ca wo s make makes made""".split()
)
# The last line holds the glue words key points use ("由…", "约 140 GB", "可预先计算", "含恒等项"):
# counted as terms they only lower the share of a point an answer in other words can reach.
CHINESE_STOPWORDS = frozenset(
    """的 了 是 在 和 与 及 或 等 会 就 也 都 而 把 被 让 使 这 那 这个 那个 一个 我们 它 它们 其 之 为 以 对 从
    中 上 下 里 时 后 前 并 且 但 则 即 如 若 因为 所以 因此 可以 能 能够 进行 通过 一种 一些 很 更 最 较 比较 非常
    要 需要 得 地 着 过 还 又 再 已 已经 用 用于 来 去 个 种 些 之间 的话 这样 那样 如果 就是 也是 不是 有
    经 经过 得到 各 各有 各自 自己 每个 每一个 二者 两者 需 只 只需 只要 仍 仍然 均 成 本 本身 该 所 其他 别的
    一下 一直 这些 那些 时候 的时候 然后 再用 起来 出来 叫 叫做 称为 相当于 其实 本质 本质上 就是说 每 一 做
    随 随着 根据 这时 此时 那么 于是 总之 另外 而且 甚至 还是 可能 一样地 直接 只是 真正
    由 于 约 大约 可 含 项 从而 以及 对于 关于 而言 来说""".split()
)

# Groups of interchangeable words; the first of each is the canonical form. Groups
# mix languages on purpose: a key point written in Chinese and an answer that
# says "linear projection" (or the reverse) meet on the same canonical term, as
# Chinese interview answers routinely switch language for technical words. Kept
# domain-specific: every entry is a paraphrase seen in interview answers, and a
# broad thesaurus would let unrelated answers match.
SYNONYM_GROUPS: tuple[tuple[str, ...], ...] = (
    ("grow", "increase", "rise", "larger", "bigger", "higher", "explode", "blow",
     "增大", "变大", "增加", "增长", "上升", "变高", "越大", "扩大", "爆炸"),
    # a state, not a change: "large logits" is not "the variance grows"
    ("large", "big", "huge", "很大", "过大", "太大", "大"),
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
    ("normalize", "normalise", "normalization", "normalisation", "norm", "renormalise", "renormalize", "renormalisation", "renormalization", "归一化", "标准化", "规范化", "重新归一化"),
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
    ("output", "result", "输出", "结果"),
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
    ("append", "追加", "拼接", "拼到", "concatenate"),
    ("mismatch", "inconsistent", "differ", "不一致", "不匹配", "不等价", "不一样", "不相同"),
    ("change", "alter", "改变", "变化", "改动"),
    ("label", "标签"),
    ("target", "目标"),
    ("shift", "右移", "移位", "shifted"),
    ("greedy", "贪心", "贪婪"),
    ("uniform", "均匀", "均匀分布"),
    ("ranking", "rank", "order", "ordering", "排序", "大小顺序"),
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
    ("early", "initially", "beginning", "浅层", "底层", "前面的层", "初期", "早期", "一开始", "刚开始", "开始时"),
    ("sublayer", "子层"),
    ("collapse", "坍缩", "塌缩", "退化成"),
    ("symmetry", "symmetric", "对称", "对称性"),
    ("permutation", "排列", "打乱"),
    ("equivariant", "等变"),
    ("rotate", "rotation", "旋转", "转"),
    ("relative", "相对"),
    ("extrapolate", "extrapolation", "外推"),
    ("interpolation", "插值"),
    ("merge", "合并"),
    ("frequent", "frequency", "common", "频次", "频率", "词频", "常见"),
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
    ("adaptive", "adapt", "adaptivity", "adaptively", "adjust", "自适应"),
    ("fixed", "constant", "固定"),
    ("static", "静态"),
    ("continuous", "连续"),
    ("warmup", "预热"),
    ("learningrate", "学习率", "lr"),
    ("past", "previous", "earlier", "old", "before", "历史", "以前", "之前", "前面", "先前", "过去"),
    ("step", "步", "一步", "每步", "每一步"),
    ("layer", "层", "一层", "每层", "每一层"),
    ("equal", "same", "identical", "equivalent", "unchanged", "invariant", "invariance", "相同", "一样", "相等", "等于", "等价", "不变", "不变性"),
    ("stack", "stacking", "堆叠", "堆", "叠"),
    ("start", "begin", "开始", "先", "首先", "起初"),
    ("symbol", "符号"),
    ("near", "close", "附近", "靠近", "接近"),
    ("bottleneck", "瓶颈"),
    ("hidden", "隐藏", "隐状态"),
    ("future", "after", "later", "未来", "后面", "之后的", "之后", "以后"),
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
    ("size", "count", "number", "大小", "数量", "个数", "次数"),
    ("advantage", "benefit", "优势", "优点", "好处"),
    ("three", "三个"),
    ("precompute", "precomputable", "预计算", "提前算好", "提前计算", "预先计算"),
    ("elementwise", "逐元素", "按元素", "逐位"),
    ("embedding", "embed", "嵌入", "词向量", "词嵌入"),
    ("accumulate", "compound", "cumulative", "snowball", "累积", "累计", "累加", "积累", "越积越多"),
    ("unseen", "未见", "没见过", "没见到"),
    # -- added for the clause-level matcher (paraphrases of the bank's key points)
    ("rowwise", "按行", "逐行"),
    ("columnwise", "按列", "逐列"),  # its own word, so that the opposites table meets it unstemmed
    ("concatenate", "concat", "concatenation", "拼起来", "连接起来"),
    ("multiply", "乘", "乘以", "相乘", "乘上", "matmul"),
    ("transpose", "transposed", "转置"),
    ("probability", "prob", "概率"),
    ("distribution", "分布"),
    ("threshold", "cutoff", "阈值", "门槛"),
    ("sample", "sampling", "采样", "抽样"),
    ("share", "shared", "sharing", "共享", "共用", "公用"),
    ("group", "grouped", "组", "分组"),
    ("quality", "质量", "效果"),
    ("loss", "损失"),
    ("angle", "角度"),
    ("depend", "dependent", "dependence", "rely", "依赖", "取决于"),
    ("independent", "independently", "independence", "regardless", "irrespective", "whatever", "独立", "无关", "无论", "不管", "不论"),
    ("bidirectional", "双向"),
    ("encoder", "编码器"),
    ("decoder", "解码器"),
    ("predict", "prediction", "预测"),
    ("fused", "fuse", "融合"),
    ("kernel", "算子", "内核"),
    ("finite", "有限"),
    ("fail", "failure", "无效", "没用", "不起作用", "失败", "崩"),
    ("disable", "关闭", "关掉", "停用"),
    ("wrong", "incorrect", "不对"),
    ("error", "mistake", "错误", "出错"),
    ("monotonic", "monotonically", "monotone", "单调"),
    ("apply", "replay", "应用", "套用"),
    ("nonnegative", "非负"),
    ("alternative", "替代", "替代方案", "替换方案"),
    ("slow", "slower", "慢", "更慢", "变慢"),
    ("groundtruth", "真实", "真值"),
    ("prefix", "前缀"),
    ("condition", "conditioned", "conditioning", "为条件", "条件"),
    ("replace", "swap", "substitute", "替换", "换成"),
    ("padding", "pad", "填充"),
    ("leak", "leakage", "泄露", "泄漏"),
    ("sort", "sorted", "降序", "从大到小"),
    ("add", "added", "加上"),
    ("split", "break", "拆", "拆分", "拆成"),
    ("guarantee", "ensure", "enforce", "保证", "确保"),
    ("factorisation", "factorization", "factorise", "factorize", "decomposition", "chain", "分解"),
    ("pick", "choose", "select", "take", "选", "取", "选择", "挑"),
    ("move", "bring", "lead", "push", "带入", "进入", "带到"),
    ("query", "q"),
    ("key", "k"),
    ("value", "v"),
    ("score", "logit", "分数", "得分"),
)
# Phrases rewritten before tokenising, where a multi-word idea has one-word forms
# in the key points ("weighted sum" and "加权求和" state "weighted average").
_PHRASE_REWRITES = (
    (re.compile(r"weighted\s+sum|加权求和|加权和|加权相加"), " weighted average "),
    (re.compile(r"cross[- ]?entropy"), " crossentropy "),
    (re.compile(r"n['’]t\b"), " not"),  # "isn't", "doesn't", "can't" (-> "ca not")
    (re.compile(r"\bnot\s+only\b|不仅|不但|不光"), " "),  # "not only X but Y" asserts X
    (re.compile(r"\b(?:does|do|is|are)?\s*not\s+(?:fit|compatible|work\s+with|suit\w*)\b|\bincompatible\b|不适合|不兼容|没法用|无法用|用不了"), " incompatible "),
    (re.compile(r"\bno\s+matter\s+(?:how|what|which|whether)\b"), " regardless "),  # not a negation
    (re.compile(r"\binstead\s+of\b|\brather\s+than\b"), " rathernot "),
    (re.compile(r"\bno\s+longer\b|\bfail(?:s|ed)?\s+to\b"), " not "),
    (re.compile(r"\bnever\s+(?:seen|saw)\b|\bnot\s+seen\b|\bunseen\b|没见过|没有见过|未见过"), " unseen "),
    (re.compile(r"\bmost\s+(?:probable|likely)\b"), " highest probability "),
    (re.compile(r"不改变|不会改变|没有改变|不会变|没有变化|不变化|不影响|不受影响|没有影响|不会影响"), " 不变 "),
    (re.compile(r"\b(?:does|do|did|will|would|is|are)\s+not\s+(?:change|affect)\w*|\bnot\s+(?:changed?|affected)\b|\bunaffected\b|\bno\s+effect\b"), " unchanged "),
    (re.compile(r"\b(?:does|do|did|will|would)\s+not\s+work\b|\bnot\s+work(?:ing)?\b"), " fail "),
    (re.compile(r"\bnot\s+(?:exactly\s+)?(?:the\s+same|equivalent|identical)\b|\bdifferent\s+from\b"), " mismatch "),
    (re.compile(r"降维"), " 维度降低 "),
    (re.compile(r"\btimes\b"), " multiply "),  # "weights times V"; not "time" (over time)
    # "提供不了", "用不到": the negation follows the verb; put it in front, where its scope starts
    (re.compile(r"([\u4e00-\u9fff]{1,2})不(了|到)"), r"不\1\2"),
    (re.compile(r"element[- ]wise"), " elementwise "),
    (re.compile(r"\bqkv\b"), " q k v "),  # "QKV" names all three
    (re.compile(r"warm[- ]?up"), " warmup "),
    (re.compile(r"learning[- ]rates?"), " learningrate "),
    (re.compile(r"linear\s+(?:layer|projection|map|transformation|transform)s?"), " linear projection "),
    # "X is multiplied by W_q, W_k, W_v", "乘以 W_Q": a learned linear projection
    (re.compile(r"(?:multipl\w*|乘以?|乘上)\s*(?:by\s+)?(?:the\s+)?(?:three\s+)?(?:weight\s+)?(?:matrices\s+)?w\s*_?\s*\{?q"), " linear projection wq"),
    (re.compile(r"over[- ]?confiden\w*"), " overconfident "),
    (re.compile(r"layer\s*norm\w*"), " layernorm "),
    (re.compile(r"batch\s*norm\w*"), " batchnorm "),
    (re.compile(r"non[- ]?negative"), " nonnegative "),
    (re.compile(r"un-?normali[sz]ed|未归一化|非归一化"), " unnormalized "),
    (re.compile(r"ground[- ]?truth"), " groundtruth "),
    (re.compile(r"\b(?:switch|switched|turn|turned|shut)\s+off\b|\bdisabled?\b"), " disable "),
    (re.compile(r"column[- ]?wise|\b(?:over|along|across|for|in|per)\s+(?:each|every|the|a)?\s*columns?\b|\b(?:each|every)\s+column\b|每一?列|逐列|按列"), " columnwise "),
    (re.compile(r"row[- ]?wise|\b(?:over|along|across|for|in|per)\s+(?:each|every|the|a)?\s*rows?\b|\b(?:each|every)\s+row\b|每一?行|逐行|按行"), " rowwise "),
    (re.compile(r"\b(?:sums?|summing|adds?\s+up|add(?:ing)?\s+up)\s+to\s+(?:1|one)\b|和为\s*1|加起来(?:等于|是|为)?\s*1|总和(?:为|是)\s*1|和等于\s*1"), " sumone "),
    (re.compile(r"\bn\s*(?:×|x|\*|by|乘)\s*n\b"), " nbyn "),
)
# Words that relate terms into a claim; a chunk without any is a bare term ("softmax", "h 个头").
_RELATION_WORDS = frozenset(
    """is are was were be been being has have had do does did can could will would should may might must
    to by with from into onto so because then than that which when if makes make made gives give gets get keeps keep
    uses use used means goes become becomes it they we you its their this these lets let need needs needed
    是 会 让 使 把 被 用 对 在 将 能 可以 需要 得到 导致 因为 所以 就 的 了 要 为 从 到 给 由 使得 变成 成为 等于 做""".split()
)
# Domain words jieba's general dictionary splits apart ("雅可比" -> "雅" "可比").
CHINESE_TERMS = (
    "雅可比", "点积", "头宽", "归一化", "层归一化", "批归一化", "位置编码", "注意力", "自注意力", "多头",
    "残差", "掩码", "编码器", "解码器", "前馈", "词嵌入", "温度", "困惑度", "解耦", "可学习", "可训练", "频次",
    "各有", "右移", "重算", "统计量", "子空间", "残差流", "交叉熵", "秩坍缩", "凸组合", "过大", "太大",
    "等变", "排列等变", "隐藏状态", "长距离", "矩阵乘", "矩阵乘法", "主权重", "非负", "融合算子", "负无穷",
)
# General-dictionary words that swallow a domain phrase: "logit 过大使 softmax 饱和" must
# cut as "过大 / 使", not "过 / 大使" (ambassador); "矩阵乘用" is not "乘用" (passenger car),
# "主权重" not "主权" (sovereignty), "预计算" not "预计" (estimate).
GENERAL_WORDS_NOT_IN_DOMAIN = ("大使", "乘用", "主权", "预计")


@dataclass(frozen=True)
class Sentence:
    """One sentence of an answer: its text as typed, its content terms (negated ones marked),
    and its Chinese words split by polarity ("|" between words), for verbatim look-ups."""

    text: str
    terms: tuple[str, ...]
    affirmed_chinese: str
    negated_chinese: str
    # each denied claim with a named subject: the subject's terms and the first term its negation
    # governs, the denied verb ("新 token 的 k、v 不追加进去": {新, token, key, value}, "¬append")
    denials: tuple[tuple[frozenset[str], str], ...] = ()
    # the affirmed terms of each clause (between commas, semicolons, colons): what is said together
    clauses: tuple[frozenset[str], ...] = ()


def analyse(answer: str) -> tuple[Sentence, ...]:
    """``answer`` cut into sentences, each with its polarised content terms."""
    sentences = []
    for piece in _SENTENCE_END.split(answer):
        text = " ".join(piece.split())
        if not text:
            continue
        scoped = scoped_words(text)
        words = [(word, term) for word, term, _scope in scoped]
        subjects: dict[int, set[str]] = {}
        leads: dict[int, str] = {}
        for _word, term, scope in scoped:
            if scope and term.startswith(TOPIC):
                subjects.setdefault(scope, set()).add(term.removeprefix(TOPIC))
            elif scope:
                leads.setdefault(scope, term)
        runs: dict[bool, list[str]] = {False: [""], True: [""]}
        for word, term in words:
            negated = term.startswith(NEGATED)
            if term.startswith(TOPIC):
                runs[False].append("")  # the subject of a denied claim is asserted in neither polarity
                runs[True].append("")
            elif _CJK.search(word):
                runs[negated][-1] += word
                runs[not negated].append("")  # a change of polarity breaks the other run
            else:
                runs[False].append("")
                runs[True].append("")
        sentences.append(
            Sentence(
                text,
                tuple(term for _word, term in words if term),
                "|".join(run for run in runs[False] if run),
                "|".join(run for run in runs[True] if run),
                tuple((frozenset(subject), leads[scope]) for scope, subject in subjects.items() if scope in leads),
                _clauses(scoped),
            )
        )
    return tuple(sentences)


_CLAUSE_ENDS = frozenset(",，;；:：。!?！？")


def _clauses(scoped: list[tuple[str, str, int]]) -> tuple[frozenset[str], ...]:
    clauses: list[set[str]] = [set()]
    for word, term, _scope in scoped:
        if word in _CLAUSE_ENDS:
            clauses.append(set())
        elif term and not term.startswith((NEGATED, TOPIC)):
            clauses[-1].add(term)
    return tuple(frozenset(clause) for clause in clauses if clause)


def clause_terms(text: str) -> tuple[frozenset[str], ...]:
    """The affirmed content terms of each clause of ``text`` (a key point, a sentence)."""
    return _clauses(scoped_words(text))


def terms(text: str) -> list[str]:
    """Content terms of ``text`` in order: normalised, stemmed, synonym-canonical, stopwords
    dropped, and those a negation governs marked with ``NEGATED``."""
    return [term for _word, term in polarised_words(text) if term and not term.startswith(TOPIC)]


def polarised_words(text: str) -> list[tuple[str, str]]:
    """Each word of ``text`` with its polarised content term ("" for a stopword or a cue)."""
    return [(word, term) for word, term, _scope in scoped_words(text)]


def scoped_words(text: str) -> list[tuple[str, str, int]]:
    """Each word of ``text`` with its polarised content term and, for a negated term, the
    number of the negation that governs it (0 for an affirmed term or a stopword).

    The subject of a negated predicate ("the variance" in "the variance does not depend on
    d_k", "Q、K、V" in "Q、K、V 不是线性投影得到的") is marked ``TOPIC``: the sentence asserts
    something about it only together with the denied predicate, so it may count for a point
    that denies the same thing, never for one that only names the subject."""
    words = _words(normalise(text))
    out: list[tuple[str, str, int]] = []
    negated_left = 0  # content terms the current negation still governs (a large number: the rest of the clause)
    privative = False
    scope = 0
    clause_start = 0  # index in ``out`` where the current clause began
    fresh_cue: list[int] | None = None  # a negation just read, no content term since: the subjects it marked
    doubled = False  # a negation inside a denied verb's object: the rest of the clause is negated twice
    for position, word in enumerate(words):
        following = words[position + 1] if position + 1 < len(words) else ""
        # "the latency drops and ...": a privative verb with no object is a plain word
        cue = word in NEGATION_CUES or (word in PRIVATIVE_CUES and _has_object(following))
        if fresh_cue is not None and cue and word not in CONTRAST_CUES:
            # "不会没有学习信号", "not without a signal": two negations in a row assert the claim
            for i in fresh_cue:
                out[i] = (out[i][0], out[i][1].removeprefix(TOPIC), 0)
            negated_left, privative, fresh_cue = 0, False, None
            out.append((word, "", 0))
            continue
        if not negated_left:
            doubled = False
        if (
            cue and word in NEGATION_CUES and word not in _COORDINATING_NEGATIONS and negated_left and not privative
            and fresh_cue is None and out and out[-1][1].startswith(NEGATED)
        ):
            # "不需要保持不合并", "need not keep it not merged": a negation right after a denied verb
            # governs that verb's object clause; what it negates again is not denied
            doubled = True
            out.append((word, "", 0))
            continue
        subject: list[int] = []
        if not negated_left and word in NEGATION_CUES and word not in CONTRAST_CUES and not _compares(out) and not _introduces(out):
            subject = [i for i in range(clause_start, len(out)) if out[i][1] and not out[i][1].startswith((NEGATED, TOPIC))]
            if len(subject) <= TOPIC_MAX:
                for i in subject:
                    out[i] = (out[i][0], TOPIC + out[i][1], scope + 1)  # the scope of the negation read next
            else:
                subject = []
        if cue:
            fresh_cue = subject if word not in CONTRAST_CUES else None
            privative = word in PRIVATIVE_CUES
            # a Chinese privative ("不用", "去掉") governs its verb's object, one term
            negated_left = (1 if _CJK.search(word) else PRIVATIVE_REACH) if privative else 1_000
            scope += 1
        elif word in CLAUSE_STARTERS and not (word in _NEGATED_COMPLEMENTS and negated_left and not privative and out and out[-1][2] == scope):
            negated_left, fresh_cue = 0, None
            clause_start = len(out)
        elif word in _NEUTRAL_PUNCTUATION:
            continue
        elif not (_CJK.search(word) or _LATIN_TOKEN.fullmatch(word)):  # punctuation
            list_comma = word in ",，、" and _is_list_item(words, position + 1)
            if negated_left and list_comma:
                continue  # "never Q, K or V": the symbols listed are still negated
            negated_left, fresh_cue = 0, None
            # "Q、K、V 不是...", "新 token 的 k、v 不追加": what "、" enumerates is one subject
            if not list_comma and word != "、":
                clause_start = len(out) + 1
        elif (term := _content_term(word)) is not None:
            fresh_cue = None
            out.append((word, NEGATED + term, scope) if negated_left and not doubled else (word, term, 0))
            negated_left = max(negated_left - 1, 0)
            continue
        elif word in ("and", "or", "nor", "和", "或", "或者", "并且") and (negated_left or (privative and out and out[-1][2] == scope)):
            if following in _DETERMINERS or following in _SUBJECTS or _has_copula(words, position + 1):
                negated_left = 0  # "never needed and the scores are new": a new clause
            elif privative:
                negated_left = PRIVATIVE_REACH  # "without positional encoding or masks": both
        elif negated_left and word in _COPULAS and out and out[-1][2] == scope:
            negated_left = 0  # "the skills the data never touches get worse": a second verb, a predicate of its own
        elif negated_left and word in _SUBJECTS and out and out[-1][2] == scope:
            negated_left = 0  # "instead of a one-hot target we use ...": the subject starts the claim
        elif privative and negated_left and word in _PREPOSITIONS and out and out[-1][2] == scope:
            negated_left = 0  # "avoid NaN on fully masked rows": the rows are not avoided
        elif privative and negated_left and (word in _PRONOUNS or (word in _DETERMINERS and negated_left < PRIVATIVE_REACH)):
            negated_left = 0  # "without it, ...", "without scaling the logits grow"
        out.append((word, "", 0))
    return out


_COMPARISON_WORDS = frozenset({"和", "与", "跟", "同", "比", "像", "than", "as", "like", "and", "or"})


def _compares(out: list[tuple[str, str, int]]) -> bool:
    """Whether the word before a negation cue makes it part of a comparison or a second
    item ("和不用 cache 一样", "same as not caching"), not the predicate of a subject."""
    return bool(out) and out[-1][0] in _COMPARISON_WORDS


# Verbs whose object may be a negated phrase: "它等于不带 β 的 LayerNorm" asserts the equality; what
# comes before the negation is not the subject of a denied claim.
_OBJECT_VERBS = frozenset({"等于", "相当于", "意味着", "变成", "成为", "equals", "means", "becomes"})


def _introduces(out: list[tuple[str, str, int]]) -> bool:
    """Whether the word before a negation cue is a verb whose object the negated phrase is."""
    return bool(out) and out[-1][0] in _OBJECT_VERBS


def _has_object(following: str) -> bool:
    """Whether the word after a privative verb can begin its object ("drops the mask"), rather than
    end its clause ("the loss drops, ...", "drops and ...")."""
    if not following or not (_CJK.search(following) or _LATIN_TOKEN.fullmatch(following)):
        return bool(following) and following in _NEUTRAL_PUNCTUATION
    return following not in CLAUSE_STARTERS and following not in {"and", "or", "to", "by"}


def _has_copula(words: list[str], start: int) -> bool:
    """Whether the words from ``start`` to the next punctuation have a verb of their own ("X are Y")."""
    for word in words[start:]:
        if not (_CJK.search(word) or _LATIN_TOKEN.fullmatch(word)) and word not in _NEUTRAL_PUNCTUATION:
            return False
        if word in _COPULAS:
            return True
    return False


def _is_list_item(words: list[str], start: int) -> bool:
    """Whether the words from ``start`` to the next punctuation list symbols only ("K or V", "W_O")."""
    items = []
    for word in words[start:]:
        if word in _NEUTRAL_PUNCTUATION:
            continue
        if not (_CJK.search(word) or _LATIN_TOKEN.fullmatch(word)):
            break
        items.append(word)
    return bool(items) and all(len(word) <= 3 and not _CJK.search(word) for word in items)


def is_keyword_list(answer: str) -> bool:
    """Whether ``answer`` only lists terms and bare formulas, with no word relating them.

    Either at least ``KEYWORD_LIST_MIN`` space-separated single terms, or at least
    ``KEYWORD_CHUNKS_MIN`` comma-separated chunks of which nearly all are short and carry no
    relation word ("is", "gives", "because", "的", "是", "会", ...).
    """
    chunks = answer.split()
    if len(chunks) >= KEYWORD_LIST_MIN and not re.search(r"[,，。.;；:：、!?！？()（）=→]", answer):
        # each chunk must be exactly one content term; a connecting word inside a chunk means a phrase
        return all(len(_segment_words(chunk)) == 1 and len(terms(chunk)) == 1 for chunk in chunks)
    pieces = [piece.strip() for piece in re.split(r"[,，、;；\n]", answer) if piece.strip()]
    if len(pieces) < KEYWORD_CHUNKS_MIN:
        return False
    bare = sum(1 for piece in pieces if _is_bare(piece))
    return bare >= len(pieces) - 1 and bare / len(pieces) >= 0.8


def _is_bare(piece: str) -> bool:
    """A short chunk that names things and relates none of them."""
    words = [word for word in _segment_words(piece) if word.strip()]
    return len(words) <= 5 and not any(word in _RELATION_WORDS for word in words)


def normalise(text: str) -> str:
    """Rendered, lower-cased, NFKC text with notation and phrases rewritten to one form."""
    from questions.render import render_math

    # Key points carry $...$ LaTeX; compare what a reader sees ("Var(q·k)=d_k"), not macro names.
    text = _ACRONYM_PLURAL.sub(r"\1", unicodedata.normalize("NFKC", render_math(text))).lower()
    for pattern, replacement in (*_MATH_REWRITES, *_PHRASE_REWRITES):
        text = pattern.sub(replacement, text)
    return text


# "非" negates after these ("A 而非 B" rather than B, "除非" unless); elsewhere, right before a word, it
# is the prefix "non-" ("非拉丁文字" non-Latin script, "非嵌入参数" non-embedding parameters).
_FEI_NEGATES_AFTER = frozenset({"而", "并", "绝", "决", "除", "是"})


def _words(text: str) -> list[str]:
    """Words and punctuation marks of normalised ``text`` in order; Chinese cut by jieba,
    a negation glued to its verb ("不乘", "没法用") split off."""
    words: list[str] = []
    for piece in _SEGMENTS.findall(text):
        if not _CJK.search(piece):
            words.extend(_LATIN_WORD.findall(piece))
            continue
        cut = _cut_chinese(piece)
        for position, word in enumerate(cut):
            if word == "非" and 0 < position + 1 < len(cut) and _CJK.search(cut[position + 1]) and (position == 0 or cut[position - 1] not in _FEI_NEGATES_AFTER):
                continue  # "非拉丁文字", "非嵌入参数": the prefix "non-", joined to its word below
            if position and cut[position - 1] == "非" and _CJK.search(word) and (position == 1 or cut[position - 2] not in _FEI_NEGATES_AFTER):
                word = "非" + word
            if not _CJK.search(word):
                words.extend(_LATIN_WORD.findall(word))  # "softmax", "d_k" inside Chinese
            elif word in NEGATION_CUES or word in LEXICAL_NEGATIVES or word in _CANONICAL:
                words.append(word)
            else:
                # "非" glued to a word makes an adjective of its own ("非对称" asymmetric, "非均匀"), not a
                # negation of the clause: only the other negations are split off their verb
                cue = next((cue for cue in _NEGATION_PREFIXES if word.startswith(cue) and len(word) > len(cue) and cue != "非"), None)
                words.extend((cue, word[len(cue) :]) if cue else (word,))
    return words


def _content_term(word: str) -> str | None:
    """The canonical term for one word, or None for a stopword."""
    if _CJK.search(word):
        return None if word in CHINESE_STOPWORDS else _CANONICAL.get(word, word)
    if word in ENGLISH_STOPWORDS:
        return None
    if word in _CANONICAL:
        return _CANONICAL[word]
    stemmed = stem(word)
    return _canonical_stems().get(stemmed, stemmed)


def _segment_words(text: str) -> list[str]:
    """Every word of ``text``, stopwords included, in order."""
    words: list[str] = []
    for piece in _SEGMENTS.findall(normalise(text)):
        if _CJK.search(piece):
            words.extend(word for word in _cut_chinese(piece) if word.strip())
        else:
            words.extend(_LATIN_TOKEN.findall(piece))
    return words


def stem(word: str) -> str:
    """The Snowball (Porter2) stem of an English word: "keys" -> "key", "dividing" -> "divid",
    "generalisation" and "generalise" -> "generalis". Numbers and two-letter words stay whole."""
    if len(word) < 3 or word.isdigit():
        return word
    return _stem(word)


_stemmer_lock = threading.Lock()


@lru_cache(maxsize=8192)
def _stem(word: str) -> str:
    with _stemmer_lock:  # a Snowball stemmer keeps the word it works on in its own state
        return _stemmer().stemWord(word)


@lru_cache(maxsize=1)
def _stemmer():
    import snowballstemmer

    return snowballstemmer.stemmer("english")


def has_cjk(text: str) -> bool:
    return bool(_CJK.search(text))


def chinese_bigrams(text: str) -> set[str]:
    """Character pairs inside each run of Chinese: paraphrases keep most of them even where
    jieba cuts the same words differently."""
    return {run[i : i + 2] for run in _CJK_RUN.findall(normalise(text)) for i in range(len(run) - 1)}


def chinese_aliases(term: str) -> tuple[str, ...]:
    """Chinese forms (two characters or more) of a canonical term, looked for verbatim."""
    return _CHINESE_ALIASES.get(term, ())


_jieba_lock = threading.Lock()


@lru_cache(maxsize=4096)
def _cut_chinese(text: str) -> tuple[str, ...]:
    with _jieba_lock:  # jieba initialises its dictionary lazily and not thread-safely
        jieba = _jieba()
        # HMM=False: dictionary words only. jieba's HMM invents "words" from unknown runs ("上算下" in
        # "上算下一个", "层用" in "层用 N 个专家"), which then match nothing an answer says.
        return tuple(jieba.lcut(text, HMM=False))


def warm_up_chinese() -> None:
    """Load jieba's dictionary now (about a second), e.g. in a worker when a typed-answer
    screen opens, so the first Chinese answer is checked without a pause."""
    _cut_chinese("注意力机制")


@lru_cache(maxsize=1)
def _jieba():
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)  # its "Building prefix dict" chatter would land on the terminal
    for word in (*CHINESE_TERMS, *LEXICAL_NEGATIVES, *_NEGATION_PREFIXES, *(w for group in SYNONYM_GROUPS for w in group if _CJK.search(w))):
        jieba.add_word(word)  # keep domain terms and synonyms whole so matching and the table apply
    for word in GENERAL_WORDS_NOT_IN_DOMAIN:
        jieba.del_word(word)
    return jieba


_CANONICAL: dict[str, str] = {word: group[0] for group in SYNONYM_GROUPS for word in group}


@lru_cache(maxsize=1)
def _canonical_stems() -> dict[str, str]:
    """Stems of the synonym groups' English words, each to its group: inflected and derived forms
    meet their group too ("dividing" stems to "divid", as does "divide"). A stem that words of two
    groups share ("optimis": "optimiser", "optimise") belongs to neither."""
    groups: dict[str, set[str]] = {}
    for word, canonical in _CANONICAL.items():
        if not _CJK.search(word):
            groups.setdefault(stem(word), set()).add(canonical)
    return {stemmed: next(iter(owners)) for stemmed, owners in groups.items() if len(owners) == 1}
_CHINESE_ALIASES: dict[str, tuple[str, ...]] = {
    group[0]: tuple(word for word in group if _CJK.search(word) and len(word) >= 2) for group in SYNONYM_GROUPS
}
