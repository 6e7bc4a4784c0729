// SPDX-License-Identifier: MIT
// Moves value *inside* a transaction, so that only traces can see who received it.
pragma solidity 0.8.28;

interface IERC20 {
    function transferFrom(address from, address to, uint256 value) external returns (bool);
}

contract Forwarder {
    /// Sends the attached ETH on to `to` (an internal CALL with value).
    function forward(address payable to) external payable {
        (bool ok, ) = to.call{value: msg.value}("");
        require(ok, "forward failed");
    }

    /// Splits the attached ETH between two recipients (two internal CALLs).
    function split(address payable a, address payable b) external payable {
        uint256 half = msg.value / 2;
        (bool okA, ) = a.call{value: half}("");
        (bool okB, ) = b.call{value: msg.value - half}("");
        require(okA && okB, "split failed");
    }

    /// Forwards, then reverts: the inner transfer happened in the trace but was undone.
    function forwardThenRevert(address payable to) external payable {
        (bool ok, ) = to.call{value: msg.value}("");
        require(ok && false, "reverted on purpose");
    }

    /// Pulls tokens from the caller to `to` (an internal call that emits an ERC-20 Transfer).
    function pullToken(IERC20 token, address to, uint256 value) external {
        require(token.transferFrom(msg.sender, to, value), "pull failed");
    }
}
