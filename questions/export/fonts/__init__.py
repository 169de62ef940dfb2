"""The font the PDF export ships with, so that Chinese shows on any machine.

NotoSansCJKsc-Regular-GB2312.woff2: Noto Sans CJK SC Regular, version 2.004, from Debian's
fonts-noto-cjk 1:20220127+repack1-1 (NotoSansCJK-Regular.ttc), cut down by make_subset.py.
Copyright 2014-2021 Adobe; SIL Open Font License 1.1 (OFL.txt beside it).
"""
