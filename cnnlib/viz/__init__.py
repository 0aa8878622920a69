"""Plotting helpers for the course notebooks (matplotlib only).

Every function returns the matplotlib ``Figure`` and leaves ``plt.show()`` to the notebook cell.
Grids of numbers (kernels, inputs, outputs) are drawn the way the lecture slides draw them:
one cell per value, the value written in the cell, integers without ".0".

- :mod:`cnnlib.viz.grids`: ``show_grid``, ``show_kernel``, ``show_conv_step``, ``show_padding``;
- :mod:`cnnlib.viz.images`: ``show_images``, ``show_feature_maps``;
- :mod:`cnnlib.viz.output_size`: ``plot_output_size``, ``output_size_explorer``;
- :mod:`cnnlib.viz.history`: ``plot_history``.
"""

from cnnlib.viz.grids import show_conv_step, show_grid, show_kernel, show_padding
from cnnlib.viz.history import plot_history
from cnnlib.viz.images import show_feature_maps, show_images
from cnnlib.viz.output_size import output_size_explorer, plot_output_size

__all__ = ["show_images", "show_kernel", "show_feature_maps", "show_grid", "show_conv_step",
           "show_padding", "plot_output_size", "output_size_explorer", "plot_history"]
