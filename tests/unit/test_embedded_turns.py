"""The embedded model serves generations in the order they were asked for (``Turns``), whatever
order their threads reach it: the fix for a graph's parallel branches replying in a different
order from run to run (and a strict replay then missing its recording)."""

from __future__ import annotations

import threading

from designer.runtime.embedded_model import Turns

LIMIT = 30.0  # seconds: a safety bound on every wait, never a measure of speed


def _run(turns: Turns, tickets: list[int], start_order: list[int], give_up: dict[int, threading.Event]) -> list[int]:
    served: list[int] = []
    threads = []
    for index in start_order:
        ticket = tickets[index]

        def work(ticket: int = ticket) -> None:
            try:
                if turns.wait(ticket, give_up.get(ticket, threading.Event())):
                    served.append(ticket)
            finally:
                turns.done(ticket)

        thread = threading.Thread(target=work)
        threads.append(thread)
        thread.start()
    for thread in threads:
        thread.join(LIMIT)
        assert not thread.is_alive(), "a turn was never served"
    return served


def test_turns_follow_the_order_of_asking_not_of_the_threads():
    turns = Turns()
    tickets = [turns.draw() for _ in range(5)]
    # The last asked starts first, as a thread scheduled early would.
    assert _run(turns, tickets, [4, 3, 2, 1, 0], {}) == tickets


def test_a_ticket_given_back_lets_the_next_one_go():
    turns = Turns()
    tickets = [turns.draw() for _ in range(3)]
    stop = threading.Event()
    stop.set()  # the run that asked for ticket 1 was stopped before its turn
    assert _run(turns, tickets, [2, 1, 0], {tickets[1]: stop}) == [tickets[0], tickets[2]]
    # And the queue goes on serving later asks.
    later = turns.draw()
    assert _run(turns, [later], [0], {}) == [later]
