"""`tasktalk-server mcp` as the official MCP Python SDK's stdio client sees it.

Runs the real binary (TASKTALK_SERVER_BIN) on a fresh SQLite file: the tools
are listed with their schemas, each is called, failures are tool results, the
open tasks are a resource, two
users' sessions see their own tasks only, and a bad session is refused before
any MCP is spoken.
"""

import asyncio
import json
import os
import subprocess
from pathlib import Path

import pytest
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

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

    def params(token):
        return StdioServerParameters(command=binary, args=["mcp"], env={**env, "TASKTALK_SESSION_TOKEN": token})

    return binary, env, session_token, params


async def call(session, name, arguments):
    result = await session.call_tool(name, arguments)
    return result, result.structured_content


def test_the_python_sdk_lists_and_calls_every_tool_for_its_own_user(server):
    _, _, session_token, params = server
    ann, ben = session_token("ann@example.com"), session_token("ben@example.com")

    async def scenario():
        async with stdio_client(params(ann)) as (read, write), ClientSession(read, write) as session:
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

        async with stdio_client(params(ben)) as (read, write), ClientSession(read, write) as session:
            await session.initialize()
            _, listed = await call(session, "list_tasks", {})
            assert listed["result"] == []
            stolen, _ = await call(session, "delete_task", {"task_id": kept["task_id"]})
            assert stolen.is_error and stolen.content[0].text.startswith("TASK_NOT_FOUND: ")
            named, _ = await call(session, "add_task", {"title": "x", "user_id": "someone"})
            assert named.is_error and named.content[0].text.startswith("INVALID_REQUEST: ")

    asyncio.run(scenario())


def test_a_bad_session_token_exits_with_one_line_before_serving(server):
    binary, env, _, _ = server
    done = subprocess.run(
        [binary, "mcp"], input="", capture_output=True, text=True,
        env={**env, "TASKTALK_SESSION_TOKEN": "not-a-session"},
    )
    assert done.returncode == 1 and done.stdout == ""
    assert len(done.stderr.splitlines()) == 1 and "session" in done.stderr
