"""The pair scorer's weights (feeds.cluster), written by (ops/fit_stories.py; not edited by hand)
    python bot.py fit-stories tests/data/stories/pairs.jsonl tests/data/stories/fresh.jsonl tests/data/stories/fresh2.jsonl
"""

BIAS = 1.5585
THRESHOLD = 2.8431  # a pair merges when BIAS + its features' weights reach this
WEIGHTS: dict[str, float] = {
    'across languages': 0.1912,
    'across, dice>=0.3': 0.0643,
    'actor on one side': -0.2682,
    'containment>=0.4': 0.0548,
    'containment>=0.6': 0.3696,
    'containment>=0.7': 0.0445,
    'containment>=0.8': 0.1322,
    'containment>=1': 0.1188,
    'days apart>=1': -1.1535,
    'days apart>=2': -1.8453,
    'dice>=0.3': -0.1837,
    'dice>=0.4': 0.26,
    'dice>=0.5': 0.1978,
    'dice>=0.6': 0.1105,
    'dice>=0.7': 0.062,
    'dice>=0.8': 0.2199,
    'entities>=1': 0.3957,
    'entities>=2': 0.0407,
    'key words>=2': 0.329,
    'longest title>=13': -0.0332,
    'longest title>=8': -0.1256,
    'names>=1': -0.2689,
    'number on one side': -0.0913,
    'numbers>=1': 0.2461,
    'place on one side': 0.1627,
    'shared>=3': 0.2244,
    'shared>=4': 0.2126,
    'shared>=5': 0.0802,
    'shortest title>=13': -0.1182,
    'shortest title>=8': -0.0213,
    'side on one side': 0.0604,
    'stage on one side': -0.6868,
    'weight>=4': 0.0788,
    'weight>=5': 0.1169,
    'weight>=6': 0.078,
}
