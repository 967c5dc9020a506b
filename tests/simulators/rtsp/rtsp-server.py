#!/usr/bin/python3
"""A GStreamer RTSP test source for the evidence tests (Debian's python3 with python3-gi).

Usage: rtsp-server.py PORT USER PASSWORD [PATH]
Serves rtsp://127.0.0.1:PORT/PATH (default /stream) with H.264 from videotestsrc (a clock overlay so every
frame differs), protected by Basic/Digest auth for USER:PASSWORD. Prints "READY" on stdout once listening.
"""
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
gi.require_version("GstRtsp", "1.0")
from gi.repository import GLib, Gst, GstRtsp, GstRtspServer  # noqa: E402

# The pipeline's elements and the Debian package of each: a missing one makes the server answer DESCRIBE with
# 503, which says nothing about why, so the source refuses to start instead.
ELEMENTS = {
    "videotestsrc": "gstreamer1.0-plugins-base",
    "timeoverlay": "gstreamer1.0-x",
    "x264enc": "gstreamer1.0-plugins-ugly",
    "rtph264pay": "gstreamer1.0-plugins-good",
}


def main() -> None:
    port, user, password = sys.argv[1], sys.argv[2], sys.argv[3]
    path = sys.argv[4] if len(sys.argv) > 4 else "/stream"
    Gst.init(None)
    missing = [f"{e} ({pkg})" for e, pkg in ELEMENTS.items() if Gst.ElementFactory.find(e) is None]
    if missing:
        print("MISSING GStreamer elements: " + ", ".join(missing), file=sys.stderr, flush=True)
        sys.exit(2)
    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(port)
    factory = GstRtspServer.RTSPMediaFactory()
    # Small frames and a 1 s GOP: segments cut on key frames, so short segments need frequent key frames.
    factory.set_launch(
        "( videotestsrc is-live=true pattern=ball ! video/x-raw,width=320,height=240,framerate=10/1 "
        "! timeoverlay ! x264enc tune=zerolatency speed-preset=ultrafast key-int-max=10 bitrate=300 "
        "! video/x-h264,profile=baseline ! rtph264pay name=pay0 pt=96 config-interval=1 )"
    )
    factory.set_shared(True)
    auth = GstRtspServer.RTSPAuth()
    token = GstRtspServer.RTSPToken()
    token.set_string(GstRtspServer.RTSP_TOKEN_MEDIA_FACTORY_ROLE, "user")
    auth.add_digest(user, password, token)
    auth.set_supported_methods(GstRtsp.RTSPAuthMethod.DIGEST)
    server.set_auth(auth)
    perms = GstRtspServer.RTSPPermissions()
    perms.add_permission_for_role("user", "media.factory.access", True)
    perms.add_permission_for_role("user", "media.factory.construct", True)
    factory.set_permissions(perms)
    server.get_mount_points().add_factory(path, factory)
    if server.attach(None) == 0:
        print("FAILED to attach", flush=True)
        sys.exit(1)
    print("READY", flush=True)
    GLib.MainLoop().run()


if __name__ == "__main__":
    main()
