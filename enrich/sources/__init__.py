"""List loaders, one per format, all implementing :class:`enrich.sources.base.TagSource`."""

from __future__ import annotations

from enrich.sources.base import TagSource
from enrich.sources.eu_xml import EuXmlSource
from enrich.sources.graphsense import GraphsenseSource
from enrich.sources.labels_json import LabelsJsonSource
from enrich.sources.mof import MofSource
from enrich.sources.ofac_address_list import OfacAddressListSource
from enrich.sources.ofac_csv import OfacCsvSource
from enrich.sources.ofac_xml import OfacXmlSource
from enrich.sources.opensanctions import OpenSanctionsSource
from enrich.sources.token_list import TokenListSource
from enrich.sources.uk_csv import UkCsvSource
from enrich.sources.un_xml import UnXmlSource

FORMATS: dict[str, type[TagSource]] = {
    cls.format: cls
    for cls in (OfacCsvSource, OfacXmlSource, OfacAddressListSource, UnXmlSource, UkCsvSource,
                EuXmlSource, OpenSanctionsSource, GraphsenseSource, LabelsJsonSource,
                TokenListSource, MofSource)
}


def loader(fmt: str, **options: object) -> TagSource:
    """A fresh loader for format ``fmt`` (KeyError lists the known formats).

    ``options`` go to the loader's constructor (``ofac-csv``: ``allow_truncated_remarks``).
    """
    if fmt not in FORMATS:
        raise KeyError(f"unknown list format {fmt!r}; known: {', '.join(FORMATS)}")
    return FORMATS[fmt](**options)
