"""Display titles of the bank's topics, in the order a study sheet presents them.

A topic is the stem of its bank file (``questions/bank/<topic>.yaml``). A
user's own topic that is not listed here is shown by its id, prettified.
"""

from __future__ import annotations

from typing import Iterable

from questions.model import Lang, Question, Text

TOPIC_TITLES: dict[str, Text] = {
    "foundations": Text(zh="基础与动机", en="Foundations"),
    "attention": Text(zh="注意力机制", en="Attention"),
    "multi-head-attention": Text(zh="多头注意力", en="Multi-head attention"),
    "positional-encoding": Text(zh="输入与位置编码", en="Embeddings and positional encoding"),
    "layers": Text(zh="层结构：FFN、残差与归一化", en="Layers: FFN, residuals and normalisation"),
    "masks": Text(zh="掩码", en="Masks"),
    "decoding": Text(zh="解码与推理", en="Decoding and inference"),
    "training": Text(zh="训练", en="Training"),
    "tokenization": Text(zh="分词", en="Tokenisation"),
    "efficient-attention": Text(zh="高效注意力", en="Efficient attention"),
    "model-families": Text(zh="模型家族与扩展", en="Model families and scaling"),
    "llm-architecture": Text(zh="现代大模型结构", en="The modern LLM block"),
    "long-context": Text(zh="位置编码进阶与长上下文", en="Rotary positions and long context"),
    "attention-kernels": Text(zh="注意力算子：FlashAttention", en="Attention kernels: FlashAttention"),
    "inference-serving": Text(zh="推理与服务", en="Inference and serving"),
    "mixture-of-experts": Text(zh="混合专家（MoE）", en="Mixture of experts"),
    "quantization": Text(zh="量化", en="Quantisation"),
    "fine-tuning": Text(zh="参数高效微调", en="Parameter-efficient fine-tuning"),
    "alignment": Text(zh="对齐：RLHF、DPO 与 GRPO", en="Alignment: RLHF, DPO and GRPO"),
    "scaling-laws": Text(zh="缩放定律", en="Scaling laws"),
    "distributed-training": Text(zh="分布式训练与显存", en="Distributed training and memory"),
}


def topic_title(topic: str, lang: Lang) -> str:
    known = TOPIC_TITLES.get(topic)
    if known is not None:
        return known.get(lang)
    return topic.replace("-", " ").capitalize()


def topic_order(topic: str) -> tuple[int, str]:
    """Sort key: known topics in curriculum order, then user topics by name."""
    order = list(TOPIC_TITLES)
    return (order.index(topic), "") if topic in order else (len(order), topic)


def in_curriculum_order(questions: Iterable[Question]) -> list[Question]:
    """Questions by topic in curriculum order, each topic's in bank order (the order to learn them).

    Bank files are read in name order, so without this a new candidate would meet
    ``alignment`` and ``attention-kernels`` before ``foundations``.
    """
    return sorted(questions, key=lambda question: topic_order(question.topic))
