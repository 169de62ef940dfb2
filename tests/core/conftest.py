"""Core tests run torch on one thread.

The models here are tiny: a second thread buys nothing, and on a loaded
machine (CI beside other jobs) OpenMP threads waiting for each other made the
copy-task test ten times slower (75 s instead of 8 s on two shared cores).
"""

import pytest
import torch


@pytest.fixture(autouse=True)
def single_torch_thread():
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)
