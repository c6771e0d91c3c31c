"""UNO bridge to a running headless LibreOffice: one JSON request per stdin line -> one JSON answer per line.

Run by the Python that has LibreOffice's `uno` module (Debian's python3-uno for /usr/bin/python3), never
imported by perfdraft: the project's venv cannot load pyuno. Usage: python3 lo_bridge.py PIPE_NAME
Request {"src": path, "dst": path, "filter": "MS Word 2007 XML"}; answer {"ok": true} or {"ok": false, "error": ...}.
"""

import json
import sys
import time


def _connect(pipe: str, wait_s: float):
    import uno  # only in LibreOffice's Python; imported here so the module itself imports anywhere

    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    deadline = time.monotonic() + wait_s
    while True:
        try:
            ctx = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
            return ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        except Exception:  # NoConnectException while soffice is still starting
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def _props(**kw):
    from com.sun.star.beans import PropertyValue

    out = []
    for k, v in kw.items():
        p = PropertyValue()
        p.Name, p.Value = k, v
        out.append(p)
    return tuple(out)


def _convert(desktop, src: str, dst: str, filt: str) -> None:
    import uno

    doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(src), "_blank", 0,
                                       _props(Hidden=True, ReadOnly=True, UpdateDocMode=0, MacroExecutionMode=0))
    if doc is None:
        raise RuntimeError("LibreOffice could not open the file")
    try:
        doc.storeToURL(uno.systemPathToFileUrl(dst), _props(FilterName=filt, Overwrite=True))
    finally:
        doc.close(True)


def main() -> int:
    desktop = _connect(sys.argv[1], float(sys.argv[2]) if len(sys.argv) > 2 else 60.0)
    print(json.dumps({"ok": True, "ready": True}), flush=True)
    for line in sys.stdin:
        if not line.strip():
            continue
        req = json.loads(line)
        if req.get("quit"):
            break
        try:
            _convert(desktop, req["src"], req["dst"], req["filter"])
            answer = {"ok": True}
        except Exception as exc:  # any UNO error belongs to this one file; the bridge keeps serving
            answer = {"ok": False, "error": f"{type(exc).__name__}: {getattr(exc, 'Message', '') or exc}"}
        print(json.dumps(answer), flush=True)
    # asked to quit, or stdin closed because the process that started us died: the office goes with us
    try:
        desktop.terminate()
    except Exception:  # the office is gone already (DisposedException on its way down)
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
