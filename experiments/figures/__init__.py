"""Plotly figures and tables built from Results by pure functions: no Streamlit, testable on their own,
usable in a notebook. One module per subject; everything public is re-exported here."""
from .boundaries import (MAX_PANELS, boundary_animation_figure, boundary_grid, boundary_panels, boundary_surface,
                         class_point_traces, decision_boundary_figure, point_picker_figure)
from .common import (BINARY_SCALE, CLASS_COLORS, CONFIG_PALETTE, DoesNotApply, Encoding, config_colors,
                     curve_encoding, facet_grid, factor_name, first_seed_runs, projection, run_title, smooth,
                     varying_factors)
from .curves import learning_curves_figure
from .live import live_figures, live_seconds
from .film import comparison_film_figure, film_epochs
from .images import (confusion_matrices_figure, dataset_preview_figure, gallery_figure, image_figure, image_heatmap,
                     paint_canvas_figure)
from .inside import gradient_flow_figure, hidden_layers_figure, weights_figure
from .summary import accuracy_table, predictions_table
from .tuning import design_map_figure, lr_finder_figure, parallel_coordinates_figure, varying_design_factors

__all__ = ["live_figures", "live_seconds", "BINARY_SCALE", "CLASS_COLORS", "CONFIG_PALETTE", "MAX_PANELS", "DoesNotApply", "Encoding",
           "accuracy_table", "boundary_animation_figure", "boundary_grid", "boundary_panels", "boundary_surface",
           "class_point_traces", "comparison_film_figure", "config_colors", "confusion_matrices_figure",
           "curve_encoding", "dataset_preview_figure", "decision_boundary_figure", "design_map_figure",
           "facet_grid", "factor_name", "film_epochs", "first_seed_runs", "gallery_figure", "gradient_flow_figure",
           "hidden_layers_figure", "image_figure", "image_heatmap", "learning_curves_figure", "lr_finder_figure",
           "paint_canvas_figure", "parallel_coordinates_figure", "point_picker_figure", "predictions_table",
           "projection", "run_title", "smooth", "varying_design_factors", "varying_factors", "weights_figure"]
