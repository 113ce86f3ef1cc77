"""What the app draws, built from Results by pure functions: no Streamlit, testable on their own, usable in a
notebook. Plotly figures for what does not move (curves, tables, maps); for the canvas renderer in the
browser (ui/components), payloads of plain numbers: boundary panels, the film, the live view, the neurons.
One module per subject; everything public is re-exported here."""
from .board import board_payloads, configuration_label, entry_id, entry_name, ranking_table
from .boundaries import (MAX_PANELS, boundary_animation_figure, boundary_grid, boundary_panels, boundary_surface,
                         class_point_traces, decision_boundary_figure, point_picker_figure)
from .common import (BINARY_SCALE, CLASS_COLORS, CONFIG_PALETTE, DoesNotApply, Encoding, class_colors, config_colors,
                     curve_encoding, facet_grid, factor_name, first_seed_runs, projection, run_title, smooth,
                     varying_factors)
from .curves import learning_curves_figure
from .live import LiveFeed, live_seconds
from .images import (confusion_matrices_figure, dataset_preview_figure, gallery_figure, image_heatmap,
                     paint_canvas_figure)
from .inside import gradient_flow_figure, hidden_layers_figure, weights_figure
from .neurons import neurons_payload
from .panels import film_payload, panels_payload, plane_payload, run_film_payload
from .series import curves_payload
from .summary import accuracy_table, predictions_table
from .tuning import design_map_figure, lr_finder_figure, parallel_coordinates_figure, varying_design_factors

__all__ = ["BINARY_SCALE", "CLASS_COLORS", "CONFIG_PALETTE", "DoesNotApply", "Encoding", "LiveFeed", "MAX_PANELS",
           "accuracy_table", "board_payloads", "boundary_animation_figure", "boundary_grid", "boundary_panels",
           "boundary_surface", "class_colors", "class_point_traces", "config_colors", "configuration_label",
           "confusion_matrices_figure", "curve_encoding", "curves_payload", "dataset_preview_figure",
           "decision_boundary_figure", "design_map_figure", "entry_id", "entry_name", "facet_grid", "factor_name",
           "film_payload", "first_seed_runs", "gallery_figure", "gradient_flow_figure", "hidden_layers_figure",
           "image_heatmap", "learning_curves_figure", "live_seconds", "lr_finder_figure", "neurons_payload",
           "paint_canvas_figure", "panels_payload", "parallel_coordinates_figure", "plane_payload",
           "point_picker_figure", "predictions_table", "projection", "ranking_table", "run_film_payload", "run_title",
           "smooth", "varying_design_factors", "varying_factors", "weights_figure"]
