"""Tasktalk's MCP server as the official MCP Python SDK sees it, over both
transports: `tasktalk-server mcp` on stdio and `tasktalk-server serve` at /mcp
(Streamable HTTP).

Runs the real binary (TASKTALK_SERVER_BIN) on a fresh SQLite file: the tools
are listed with their schemas, each is called, failures are tool results, the
open tasks are a resource, two users see their own tasks only, and a bad token
is refused before any MCP is spoken (stdio: exit 1 with one line; HTTP: 401).
"""

import asyncio
import contextlib
import json
import os
import subprocess
from pathlib import Path

import httpx2
import pytest
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client

SECRET = "interop-secret-0123456789abcdefghijklmnopqrstuvwxyz"
PASSWORD = "mcp-interop-password"
OPEN_TASKS = "tasktalk://tasks/open"
TOOLS = ["add_task", "list_tasks", "complete_task", "update_task", "delete_task"]


@pytest.fixture
def server(tmp_path):
    binary = os.environ.get("TASKTALK_SERVER_BIN")
    assert binary and Path(binary).exists(), "set TASKTALK_SERVER_BIN to the built tasktalk-server"
    env = {**os.environ, "DATABASE_URL": str(tmp_path / "mcp.db"), "BETTER_AUTH_SECRET": SECRET}
    env.pop("TASKTALK_SESSION_TOKEN", None)

    def session_token(email):
        for args in (["user", "create", "--email", email, "--name", email], ["sign-in", "--email", email]):
            done = subprocess.run([binary, *args], input=PASSWORD + "\n", capture_output=True, text=True, env=env)
            assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)["session_token"]

    return binary, env, session_token


@pytest.fixture
def http_server(server):
    """`serve` on a free port; its URL."""
    binary, env, _ = server
    process = subprocess.Popen(
        [binary, "serve", "--bind", "127.0.0.1:0"], env={**env, "TASKTALK_PROVIDER": "offline"},
        stdout=subprocess.PIPE, text=True,
    )
    try:
        line = process.stdout.readline()
        assert line.startswith("listening on "), line
        yield line.removeprefix("listening on ").strip()
    finally:
        process.terminate()
        process.wait(timeout=10)


@contextlib.asynccontextmanager
async def stdio_session(server, token):
    binary, env, _ = server
    params = StdioServerParameters(command=binary, args=["mcp"], env={**env, "TASKTALK_SESSION_TOKEN": token})
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        yield session


@contextlib.asynccontextmanager
async def http_session(base, token):
    headers = {"Authorization": f"Bearer {token}"}
    async with (
        create_mcp_http_client(headers=headers) as http,
        streamable_http_client(f"{base}/mcp", http_client=http) as (read, write),
        ClientSession(read, write) as session,
    ):
        yield session


async def call(session, name, arguments):
    result = await session.call_tool(name, arguments)
    return result, result.structured_content


async def every_tool_for_its_own_user(connect, ann, ben):
    """The scenario both transports pass: `connect(token)` opens a client session."""
    async with connect(ann) as session:
        info = await session.initialize()
        assert info.server_info.name == "tasktalk"
        tools = (await session.list_tools()).tools
        assert [tool.name for tool in tools] == TOOLS
        assert all(tool.input_schema["type"] == "object" and tool.output_schema for tool in tools)

        added, task = await call(session, "add_task", {"title": "buy milk", "priority": "high"})
        assert not added.is_error and task["status"] == "created" and task["priority"] == "high"
        _, listed = await call(session, "list_tasks", {})
        assert [t["title"] for t in listed["result"]] == ["buy milk"]
        _, renamed = await call(session, "update_task", {"task_id": task["task_id"], "title": "buy oat milk"})
        assert renamed["title"] == "buy oat milk"
        _, done = await call(session, "complete_task", {"task_id": task["task_id"]})
        assert done["completed"] is True
        _, deleted = await call(session, "delete_task", {"task_id": task["task_id"]})
        assert deleted["status"] == "deleted"

        missing, _ = await call(session, "complete_task", {"task_id": task["task_id"]})
        assert missing.is_error and missing.content[0].text.startswith("TASK_NOT_FOUND: ")
        empty, _ = await call(session, "add_task", {"title": " "})
        assert empty.is_error and empty.content[0].text.startswith("INVALID_TITLE: ")
        _, kept = await call(session, "add_task", {"title": "ann's"})
        resources = (await session.list_resources()).resources
        assert [str(resource.uri) for resource in resources] == [OPEN_TASKS]
        read = await session.read_resource(OPEN_TASKS)
        assert [t["title"] for t in json.loads(read.contents[0].text)] == ["ann's"]

    async with connect(ben) as session:
        await session.initialize()
        _, listed = await call(session, "list_tasks", {})
        assert listed["result"] == []
        stolen, _ = await call(session, "delete_task", {"task_id": kept["task_id"]})
        assert stolen.is_error and stolen.content[0].text.startswith("TASK_NOT_FOUND: ")
        named, _ = await call(session, "add_task", {"title": "x", "user_id": "someone"})
        assert named.is_error and named.content[0].text.startswith("INVALID_REQUEST: ")


def test_over_stdio_the_python_sdk_lists_and_calls_every_tool_for_its_own_user(server):
    _, _, session_token = server
    ann, ben = session_token("ann@example.com"), session_token("ben@example.com")
    asyncio.run(every_tool_for_its_own_user(lambda token: stdio_session(server, token), ann, ben))


def test_over_http_the_python_sdk_lists_and_calls_every_tool_for_its_own_user(server, http_server):
    _, _, session_token = server
    ann, ben = session_token("ann@example.com"), session_token("ben@example.com")
    asyncio.run(every_tool_for_its_own_user(lambda token: http_session(http_server, token), ann, ben))


def test_a_bad_session_token_exits_with_one_line_before_serving(server):
    binary, env, _ = server
    done = subprocess.run(
        [binary, "mcp"], input="", capture_output=True, text=True,
        env={**env, "TASKTALK_SESSION_TOKEN": "not-a-session"},
    )
    assert done.returncode == 1 and done.stdout == ""
    assert len(done.stderr.splitlines()) == 1 and "session" in done.stderr


def test_a_bad_token_over_http_is_a_401_and_the_sdk_client_fails(server, http_server):
    initialize = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}}
    for headers in ({}, {"Authorization": "Bearer not-a-session"}):
        response = httpx2.post(f"{http_server}/mcp", json=initialize, headers={
            **headers, "Accept": "application/json, text/event-stream"})
        assert response.status_code == 401, response.text
        assert response.headers["www-authenticate"] == "Bearer"

    async def sdk_client():
        async with http_session(http_server, "not-a-session") as session:
            await session.initialize()

    # The SDK reports the refused POST as an error response; it never gets a session.
    with pytest.raises(BaseExceptionGroup) as refused:
        asyncio.run(sdk_client())
    leaves = []
    pending = [refused.value]
    while pending:
        error = pending.pop()
        if isinstance(error, BaseExceptionGroup):
            pending.extend(error.exceptions)
        else:
            leaves.append(error)
    assert [type(leaf).__name__ for leaf in leaves] == ["MCPError"], leaves
