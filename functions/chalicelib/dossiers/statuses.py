"""The ten national dossier status codes and the moves between them that make sense."""

from __future__ import annotations

from enum import IntEnum


class Status(IntEnum):
    REGISTERED = 1  # mới đăng ký
    RECEIVED = 2  # được tiếp nhận
    NOT_ACCEPTED = 3  # không được tiếp nhận
    PROCESSING = 4  # đang xử lý
    SUPPLEMENT_REQUESTED = 5  # yêu cầu bổ sung giấy tờ
    PAYMENT_REQUESTED = 6  # yêu cầu thực hiện nghĩa vụ tài chính
    WITHDRAWAL_REQUESTED = 7  # công dân yêu cầu rút hồ sơ
    STOPPED = 8  # dừng xử lý
    PROCESSED = 9  # đã xử lý xong
    RETURNED = 10  # đã trả kết quả


LABELS = {
    Status.REGISTERED: "Mới đăng ký",
    Status.RECEIVED: "Được tiếp nhận",
    Status.NOT_ACCEPTED: "Không được tiếp nhận",
    Status.PROCESSING: "Đang xử lý",
    Status.SUPPLEMENT_REQUESTED: "Yêu cầu bổ sung giấy tờ",
    Status.PAYMENT_REQUESTED: "Yêu cầu thực hiện nghĩa vụ tài chính",
    Status.WITHDRAWAL_REQUESTED: "Công dân yêu cầu rút hồ sơ",
    Status.STOPPED: "Dừng xử lý",
    Status.PROCESSED: "Đã xử lý xong",
    Status.RETURNED: "Đã trả kết quả",
}

S = Status
MOVES: dict[Status, frozenset[Status]] = {
    S.REGISTERED: frozenset({S.RECEIVED, S.NOT_ACCEPTED, S.WITHDRAWAL_REQUESTED}),
    S.RECEIVED: frozenset(
        {S.PROCESSING, S.SUPPLEMENT_REQUESTED, S.PAYMENT_REQUESTED, S.WITHDRAWAL_REQUESTED, S.STOPPED, S.PROCESSED}
    ),
    S.PROCESSING: frozenset(
        {S.SUPPLEMENT_REQUESTED, S.PAYMENT_REQUESTED, S.WITHDRAWAL_REQUESTED, S.STOPPED, S.PROCESSED}
    ),
    S.SUPPLEMENT_REQUESTED: frozenset({S.PROCESSING, S.WITHDRAWAL_REQUESTED, S.STOPPED}),
    S.PAYMENT_REQUESTED: frozenset({S.PROCESSING, S.WITHDRAWAL_REQUESTED, S.STOPPED, S.PROCESSED}),
    # A withdrawal request is granted (stopped) or refused (processing goes on).
    S.WITHDRAWAL_REQUESTED: frozenset({S.STOPPED, S.PROCESSING}),
    S.PROCESSED: frozenset({S.RETURNED}),
    S.NOT_ACCEPTED: frozenset(),
    S.STOPPED: frozenset(),
    S.RETURNED: frozenset(),
}
CLOSED = frozenset({S.NOT_ACCEPTED, S.STOPPED, S.RETURNED})
FINISHED = frozenset({S.PROCESSED, S.RETURNED})


def can_move(current: Status, target: Status) -> bool:
    return target in MOVES[current]


def reachable(current: Status) -> frozenset[Status]:
    """Every status some sequence of allowed moves leads to (what a newer sync update may jump to)."""
    seen: set[Status] = set()
    frontier = [current]
    while frontier:
        for target in MOVES[frontier.pop()]:
            if target not in seen:
                seen.add(target)
                frontier.append(target)
    return frozenset(seen)


def label(status: int) -> str:
    return LABELS[Status(status)]
