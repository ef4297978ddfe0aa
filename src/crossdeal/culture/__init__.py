"""Culture knowledge: models of national cultures, name resolution and distances.

Plain Python on plain data: nothing here prints, touches a network or a database.
"""

from crossdeal.culture.distance import (
    DimensionGap,
    Distance,
    dimension_gaps,
    euclidean_distance,
    kogut_singh_index,
)
from crossdeal.culture.model import (
    Culture,
    CultureKind,
    CultureModel,
    Dimension,
    Level,
    default_model,
    load_culture_model,
)
from crossdeal.culture.resolve import normalize, resolve

__all__ = [
    "Culture",
    "CultureKind",
    "CultureModel",
    "Dimension",
    "DimensionGap",
    "Distance",
    "Level",
    "default_model",
    "dimension_gaps",
    "euclidean_distance",
    "kogut_singh_index",
    "load_culture_model",
    "normalize",
    "resolve",
]
