"""The changes of a career after the hire: leaving, transfers, posts, education, certificates."""

from __future__ import annotations

from datetime import date

from domain.errors import RuleViolation
from domain.vocabulary import CertificateLevel, DismissalReason, Education, Post, PostChangeReason
from ledger.commands import AddCertificate, ChangePost, Dismiss, Transfer, UpgradeEducation
from seed.demo.district import DistrictLoader
from seed.demo.records import DemoWorker
from seed.demo.shape import NEXT_POST


class CareerLoader(DistrictLoader):
    """One worker's changes, each through its use case as the unit's clerk."""

    def _elections(self) -> None:
        """2021 two-committee elections (村/社区"两委"换届): in some communities the chair
        steps down, the deputy is elected chair, an officer deputy and an assistant officer."""
        day = date(2021, 3, 15)
        for unit in self.units:
            if unit.street is None or self.rng.random() >= 0.3:
                continue
            by_post = {p: [w for w in unit.active if w.post == p and not w.script] for p in Post}
            if not (by_post[Post.DIRECTOR] and by_post[Post.DEPUTY_DIRECTOR]):
                continue
            director = by_post[Post.DIRECTOR][0]
            self._leave(director, day, DismissalReason.OTHER, "换届未连任", succession=False)
            chain = [(by_post[Post.DEPUTY_DIRECTOR][0], Post.DIRECTOR)]
            if by_post[Post.OFFICER]:
                chain.append((by_post[Post.OFFICER][0], Post.DEPUTY_DIRECTOR))
            if by_post[Post.ASSISTANT] and by_post[Post.OFFICER]:
                chain.append((by_post[Post.ASSISTANT][0], Post.OFFICER))
            for worker, post in chain:
                self._change_post(worker, post, day, PostChangeReason.ELECTION, "2021年换届选举")

    def _leave(
        self,
        worker: DemoWorker,
        day: date,
        reason: DismissalReason,
        note: str,
        *,
        succession: bool = True,
    ) -> None:
        """The worker leaves; a head who leaves is succeeded by a deputy of the same unit."""
        if not worker.active:
            return
        document = f"{worker.unit.office.abbreviation}人〔{day.year}〕{worker.index % 97 + 1}号"
        self._change(
            worker,
            f"dismissed_{reason.value}",
            self.ledger.dismiss,
            Dismiss(worker.uid, day, reason, document_ref=document, note=note),
        )
        worker.active = False
        worker.unit.active.remove(worker)
        if succession and worker.post == Post.DIRECTOR:
            deputies = [w for w in worker.unit.active if w.post == Post.DEPUTY_DIRECTOR]
            if deputies:
                # A community elects its new chair (补选); a street office appoints one.
                how = (
                    PostChangeReason.ELECTION if worker.unit.street else PostChangeReason.PROMOTION
                )
                self._change_post(deputies[0], Post.DIRECTOR, day, how, "主管出缺,递补")

    def _retire(self, worker: DemoWorker, day: date) -> None:
        self._leave(worker, day, DismissalReason.RETIREMENT, "到龄退休")

    def _resign(self, worker: DemoWorker, day: date) -> None:
        self._leave(worker, day, DismissalReason.RESIGNATION, "本人申请辞职")

    def _transfer(self, worker: DemoWorker, day: date) -> None:
        """Rotation (轮岗交流) to another unit of the same street office, within quota."""
        if not worker.active or worker.post not in (Post.ASSISTANT, Post.OFFICER):
            return
        office = worker.unit.office
        options = [
            u for u in self.units if u.office is office and u is not worker.unit and u.vacancy > 0
        ]
        if not options:
            return
        target = max(options, key=lambda u: (u.vacancy, -u.index))
        try:
            self._change(
                worker,
                "transferred",
                self.ledger.transfer,
                Transfer(worker.uid, target.uid, day, note="轮岗交流"),
            )
        except RuleViolation:  # pragma: no cover - the shadow tracks the seats exactly
            self.counts["transfer_refused"] += 1
            return
        worker.unit.active.remove(worker)
        target.active.append(worker)
        worker.unit = target

    def _change_post(
        self, worker: DemoWorker, post: Post, day: date, reason: PostChangeReason, note: str
    ) -> None:
        if not worker.active or worker.post == post:
            return
        self._change(
            worker,
            f"post_{reason.value}",
            self.ledger.change_post,
            ChangePost(worker.uid, post, day, reason, note=note),
        )
        worker.post = post

    def _promote(
        self, worker: DemoWorker, day: date, reason: PostChangeReason, only_from: Post | None = None
    ) -> None:
        higher = NEXT_POST.get(worker.post)
        if higher is not None and only_from in (None, worker.post):
            self._change_post(worker, higher, day, reason, "择优晋升")

    def _demote(self, worker: DemoWorker, day: date) -> None:
        if worker.post == Post.OFFICER:
            self._change_post(
                worker, Post.ASSISTANT, day, PostChangeReason.REASSIGNMENT, "岗位调整"
            )

    def _promote_candidates(self, day: date) -> None:
        """Priority promotion: about half of the flagged candidates are promoted in March."""
        for worker in self.workers:
            flagged = worker.active and worker.view.get("flags", {}).get("promotion_candidate")
            if flagged and self.rng.random() < 0.5:
                self._promote(worker, day, PostChangeReason.PROMOTION)

    def _upgrade_education(self, worker: DemoWorker, education: Education, day: date) -> None:
        if not worker.active or education.rank <= worker.education.rank:
            return
        self._change(
            worker,
            "education_upgraded",
            self.ledger.upgrade_education,
            UpgradeEducation(worker.uid, education, day, note="在职学历提升"),
        )
        worker.education = education

    def _next_certificate(self, worker: DemoWorker) -> tuple[CertificateLevel, float] | None:
        if worker.certificate is None:
            return CertificateLevel.ASSISTANT_SOCIAL_WORKER, 0.08
        if worker.certificate is CertificateLevel.ASSISTANT_SOCIAL_WORKER:
            return CertificateLevel.SOCIAL_WORKER, 0.10
        if worker.certificate is CertificateLevel.SOCIAL_WORKER:
            return CertificateLevel.SENIOR_SOCIAL_WORKER, 0.01
        return None

    def _certify(self, worker: DemoWorker, level: CertificateLevel, day: date) -> None:
        if not worker.active:
            return
        self._change(
            worker,
            "certificate_obtained",
            self.ledger.add_certificate,
            AddCertificate(worker.uid, level, day, note="社会工作者职业水平证书"),
        )
        worker.certificate = level
