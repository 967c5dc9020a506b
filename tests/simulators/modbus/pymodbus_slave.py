#!/usr/bin/python3
"""A Modbus RTU slave on a serial port (a socat PTY end), built on Debian's python3-pymodbus 3.0, serving
several units for the integration tests. Every register holds a value derived from its address, so a test can
check any value it reads:

    holding[a] = (unit * 1000 + a) & 0xFFFF      input[a] = (unit * 1000 + 500 + a) & 0xFFFF
    coil[a]    = (unit + a) % 2 == 1             discrete[a] = (unit + a) % 3 == 0

Commands on stdin, one per line (each answered with "ok" on stdout):
    silent U      unit U stops answering          answer U    unit U answers again
    exception U   unit U answers "illegal data address" to everything     normal U   back to normal
Run with /usr/bin/python3 (a pyenv python3 may lack pymodbus).
"""
import argparse
import asyncio
import sys
import threading

from pymodbus.datastore import ModbusSequentialDataBlock, ModbusServerContext, ModbusSlaveContext
from pymodbus.server import StartAsyncSerialServer
from pymodbus.transaction import ModbusRtuFramer

SIZE = 1000


class FaultySlave(ModbusSlaveContext):
    """A slave context that can be told to refuse every address (pymodbus then replies exception 2)."""

    failing = False

    def validate(self, fc_as_hex, address, count=1):
        if self.failing:
            return False
        return super().validate(fc_as_hex, address, count)


def make_unit(unit):
    return FaultySlave(
        zero_mode=True,
        hr=ModbusSequentialDataBlock(0, [(unit * 1000 + a) & 0xFFFF for a in range(SIZE)]),
        ir=ModbusSequentialDataBlock(0, [(unit * 1000 + 500 + a) & 0xFFFF for a in range(SIZE)]),
        co=ModbusSequentialDataBlock(0, [(unit + a) % 2 == 1 for a in range(SIZE)]),
        di=ModbusSequentialDataBlock(0, [(unit + a) % 3 == 0 for a in range(SIZE)]),
    )


def control(context, units):
    for line in sys.stdin:
        parts = line.split()
        if len(parts) != 2:
            continue
        verb, unit = parts[0], int(parts[1])
        if verb == "silent" and unit in context:
            del context[unit]
        elif verb == "answer":
            context[unit] = units[unit]
        elif verb == "exception":
            units[unit].failing = True
        elif verb == "normal":
            units[unit].failing = False
        print("ok", flush=True)


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", required=True)
    parser.add_argument("--baud", type=int, default=9600)
    parser.add_argument("--units", default="1,2,3")
    args = parser.parse_args()
    units = {u: make_unit(u) for u in (int(x) for x in args.units.split(","))}
    context = ModbusServerContext(slaves=dict(units), single=False)
    threading.Thread(target=control, args=(context, units), daemon=True).start()
    server = await StartAsyncSerialServer(
        context=context, framer=ModbusRtuFramer, port=args.port, baudrate=args.baud,
        ignore_missing_slaves=True, defer_start=True, auto_reconnect=True, reconnect_delay=0.2,
    )
    print("ready", flush=True)
    await server.start()
    await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
