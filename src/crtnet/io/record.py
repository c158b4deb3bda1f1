"""The one signal type every part of crtnet passes around."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from crtnet.errors import CrtnetError
from crtnet.io.leads import derive_limb_leads, normalize_leads


@dataclass
class Record:
    """An ECG: float32 samples ``[n_leads, n_samples]`` in mV at ``fs`` Hz.

    NaN marks samples that are not available (a lead not plotted on a printout, a gap a
    digitizer could not bridge). ``labels`` are dataset codes (AAMI, SCP, SNOMED...), and
    ``meta`` keeps everything else a source knows (age, sex, device, digitizer confidence).
    """

    signal: np.ndarray
    fs: float
    leads: list[str]
    record_id: str = ""
    patient_id: str | None = None
    labels: list[str] = field(default_factory=list)
    source: str = ""
    units: str = "mV"
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        raw = np.asarray(self.signal)
        if raw.dtype.kind not in "biuf":  # complex would lose its imaginary part silently
            raise CrtnetError(f"signal must hold real numbers, got {raw.dtype}")
        with np.errstate(over="ignore", invalid="ignore"):
            sig = raw.astype(np.float32, copy=False)
        if sig.ndim == 1:
            sig = sig[None, :]
        if sig.ndim != 2:
            raise CrtnetError(f"signal must be [n_leads, n_samples], got shape {sig.shape}")
        if sig.shape[0] == 0 or sig.shape[1] == 0:
            raise CrtnetError(f"signal is empty (shape {sig.shape})")
        if np.isinf(sig).any():  # float32 turns 1e40 into inf, too
            raise CrtnetError("signal holds infinite values or values beyond ±3.4e38")
        self.signal = np.ascontiguousarray(sig)
        self.leads = [str(n) for n in self.leads]
        if len(self.leads) != sig.shape[0]:
            raise CrtnetError(f"{len(self.leads)} lead names for {sig.shape[0]} signal rows")
        if not np.isfinite(self.fs) or not 1 <= float(self.fs) <= 100_000:
            raise CrtnetError(f"implausible sampling rate {self.fs!r} Hz")
        self.fs = float(self.fs)

    @classmethod
    def checked(cls, path: Any, **fields: Any) -> Record:
        """A Record built by a reader: a problem is reported against the file it came from."""
        try:
            return cls(**fields)
        except CrtnetError as exc:
            raise CrtnetError(exc.problem, exc.path or path) from None

    @property
    def n_leads(self) -> int:
        return self.signal.shape[0]

    @property
    def n_samples(self) -> int:
        return self.signal.shape[1]

    @property
    def duration(self) -> float:
        return self.n_samples / self.fs

    def lead(self, name: str) -> np.ndarray:
        if name not in self.leads:
            raise CrtnetError(f"record {self.record_id or '?'} has no lead {name!r}")
        return self.signal[self.leads.index(name)]

    def replace(self, **changes: Any) -> Record:
        """A copy with some fields changed (the signal array is shared unless replaced)."""
        fields = dict(
            signal=self.signal,
            fs=self.fs,
            leads=list(self.leads),
            record_id=self.record_id,
            patient_id=self.patient_id,
            labels=list(self.labels),
            source=self.source,
            units=self.units,
            meta=dict(self.meta),
        )
        fields.update(changes)
        return Record(**fields)

    def select(self, leads: list[str], *, fill_missing: bool = False) -> Record:
        """Reorder/subset leads by name; missing ones raise, or become NaN rows if asked."""
        rows = []
        for name in leads:
            if name in self.leads:
                rows.append(self.signal[self.leads.index(name)])
            elif fill_missing:
                rows.append(np.full(self.n_samples, np.nan, dtype=np.float32))
            else:
                raise CrtnetError(
                    f"record {self.record_id or '?'} lacks lead {name!r} (has {self.leads})"
                )
        return self.replace(signal=np.stack(rows), leads=list(leads))

    def with_derived_limb_leads(self) -> Record:
        sig, names = derive_limb_leads(self.signal, self.leads)
        return self.replace(signal=sig, leads=names)

    def normalized_leads(self, *, strict: bool = True) -> Record:
        return self.replace(leads=normalize_leads(self.leads, strict=strict))

    def resample(self, fs: float) -> Record:
        """Polyphase resampling (anti-aliased); NaN gaps stay NaN at their new times."""
        from crtnet.data.preprocess import resample

        if float(fs) == self.fs:
            return self
        return self.replace(signal=resample(self.signal, self.fs, fs), fs=float(fs))

    def summary(self) -> dict[str, Any]:
        """What ``crtnet info`` shows: JSON-serialisable facts about the record."""
        finite = np.isfinite(self.signal)
        return {
            "record_id": self.record_id,
            "patient_id": self.patient_id,
            "source": self.source,
            "leads": list(self.leads),
            "n_leads": self.n_leads,
            "fs": self.fs,
            "n_samples": self.n_samples,
            "duration_s": round(self.duration, 4),
            "units": self.units,
            "labels": list(self.labels),
            "missing_fraction": round(float(1 - finite.mean()), 4) if finite.size else 1.0,
            "range_mv": [
                round(float(np.nanmin(self.signal)), 4) if finite.any() else None,
                round(float(np.nanmax(self.signal)), 4) if finite.any() else None,
            ],
            "meta": {k: v for k, v in self.meta.items() if _jsonable(v)},
        }


def _jsonable(v: Any) -> bool:
    return isinstance(v, (str, int, float, bool, type(None), list, dict))
