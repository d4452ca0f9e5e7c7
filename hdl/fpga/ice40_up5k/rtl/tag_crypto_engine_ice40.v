// tag_crypto_engine_ice40 -- pin shim so tag_crypto_engine can be placed on an iCE40 UP5K (sg48).
//
// Byte-wide host port: on each clock with `wr` high, `din` is applied to the register chosen by
// `sel`:
//   0 DATA  : command octet (key / COUNT-BEARER-DIRECTION octets of LOAD_KEYS, NEA2, NIA2) into a
//             one-octet holding register offered to the engine (dat_valid) until it takes it;
//             STAT bit 6 is 1 while an octet waits: write the next one only when it is 0
//   1 PARAM : 28-bit field shift register <<= din (4 writes, MSB first, the first 4 bits drop):
//             {len[15:0], addr[11:0]}
//   2 PTR   : frame pointer <<= din (two writes, 12 bits)
//   3 WDATA : frame[ptr] = din, ptr++
//   4 GO    : issue command op = din[2:0] (cmd_valid until the engine takes it; busy until the
//             response). op 1 (ZEROIZE) is taken in any state, busy or not: it drives the
//             engine's zeroize input for one cycle (abandoning any command in progress), clears
//             the shim's own registers (octet holding register, parameters, MAC, status, dout) and
//             is done (status OK) when the engine has finished its scrub
//   5 RDATA : dout <= frame[ptr] (valid in the next cycle), ptr++
//   6 STAT  : dout <= {done, octet waiting, 3'b0, status[2:0]}
//   7 MAC   : dout <= next MAC octet (MSB first; 4 reads after a response)
// The frame buffer (4 KiB) is inferred block RAM shared by the host (while idle) and the engine.
// The response is taken at once (rsp_ready = 1) and latched for the host. Host accesses to the
// frame (WDATA, and RDATA's read) are ignored while the shim is busy or the engine holds mem_own:
// the engine owns the buffer for its whole command (UNPROTECT reads the ciphered part twice).
module tag_crypto_engine_ice40 (
  input  wire       clk,
  input  wire       rst_n,
  input  wire       wr,
  input  wire [2:0] sel,
  input  wire [7:0] din,
  output reg  [7:0] dout,
  output wire       busy,
  output wire       done
);
  localparam integer AW = 12;
  reg  [27:0]  prm_sr;
  reg  [7:0]   dat_q;
  reg          dat_v;
  reg  [AW-1:0] ptr_q;
  reg  [2:0]   op_q;
  reg          go_q, busy_q, done_q, rd_q, zero_q, zwait_q;
  reg  [2:0]   st_q;
  reg  [31:0]  mac_q;
  reg  [7:0]   ram_q;
  reg          ack_q;
  reg  [7:0]   fb [0:(1<<AW)-1];

  wire         cmd_ready, dat_ready, rsp_valid, mem_req, mem_we, mem_own;
  wire         zero_go = wr && (sel == 3'd4) && (din[2:0] == 3'd1);   // ZEROIZE, any state
  wire [2:0]   rsp_status;
  wire [31:0]  rsp_mac;
  wire [AW-1:0] mem_addr;
  wire [7:0]   mem_wdata;
  // block RAM: data one cycle after the address. The engine holds a request until it is
  // acknowledged, so a registered acknowledge in the second cycle of each request is legal.
  wire         mem_ack = ack_q;

  tag_crypto_engine #(.ADDR_W(AW), .FPGA_STYLE(1), .KDF_STYLE(1)) u_engine (
    .clk(clk), .rst_n(rst_n), .zeroize(zero_q),
    .cmd_valid(go_q), .cmd_ready(cmd_ready), .cmd_op(op_q),
    .cmd_addr(prm_sr[AW-1:0]), .cmd_len(prm_sr[27:12]),
    .dat_valid(dat_v), .dat_ready(dat_ready), .dat_data(dat_q),
    .rsp_valid(rsp_valid), .rsp_ready(1'b1), .rsp_status(rsp_status), .rsp_mac(rsp_mac),
    .mem_req(mem_req), .mem_we(mem_we), .mem_addr(mem_addr), .mem_wdata(mem_wdata),
    .mem_ack(mem_ack), .mem_rdata(ram_q), .mem_own(mem_own),
    /* verilator lint_off PINCONNECTEMPTY */  // no key store on this shim (DERIVE: a zero K_AIoT)
    .ltk_idx(),
    /* verilator lint_on PINCONNECTEMPTY */
    .ltk_data(8'd0), .ltk_len32(1'b0));

  // frame buffer port: engine while busy, host otherwise
  // (the engine's mem_own also covers its scrub after reset / zeroize, while busy_q may be low)
  wire          host    = !busy_q;
  wire          fb_host = host && !mem_own;
  wire [AW-1:0] ram_a   = fb_host ? ptr_q : mem_addr;
  wire          ram_we  = fb_host ? (wr && sel == 3'd3) : (mem_we && ack_q);
  wire [7:0]    ram_d   = fb_host ? din : mem_wdata;
  always @(posedge clk) begin
    if (ram_we) fb[ram_a] <= ram_d;
    ram_q <= fb[ram_a];
  end

  always @(posedge clk) begin
    if (!rst_n) begin
      prm_sr <= 28'd0; dat_q <= 8'd0; dat_v <= 1'b0; ptr_q <= {AW{1'b0}}; op_q <= 3'd0;
      go_q <= 1'b0; busy_q <= 1'b0; done_q <= 1'b0; st_q <= 3'd0; mac_q <= 32'd0; ack_q <= 1'b0;
      rd_q <= 1'b0; dout <= 8'd0; zero_q <= 1'b0; zwait_q <= 1'b0;
    end else if (zero_go) begin
      // zeroize from any state: the engine's input next cycle, the shim's registers now
      prm_sr <= 28'd0; dat_q <= 8'd0; dat_v <= 1'b0; op_q <= 3'd1; go_q <= 1'b0; busy_q <= 1'b1;
      done_q <= 1'b0; st_q <= 3'd0; mac_q <= 32'd0; ack_q <= 1'b0; rd_q <= 1'b0; dout <= 8'd0;
      zero_q <= 1'b1; zwait_q <= 1'b1;
    end else begin
      zero_q <= 1'b0;
      ack_q <= mem_req && !ack_q;
      rd_q  <= 1'b0;
      if (dat_v && dat_ready) begin dat_v <= 1'b0; dat_q <= 8'd0; end   // no key octet left behind
      if (wr && sel == 3'd0 && !dat_v) begin dat_q <= din; dat_v <= 1'b1; end
      if (wr && host) begin
        case (sel)
          3'd1: prm_sr <= {prm_sr[19:0], din};
          3'd2: ptr_q  <= {ptr_q[AW-9:0], din};
          3'd3: if (fb_host) ptr_q <= ptr_q + 1'b1;
          3'd4: begin op_q <= din[2:0]; go_q <= 1'b1; busy_q <= 1'b1; done_q <= 1'b0; end
          3'd5: if (fb_host) begin rd_q <= 1'b1; ptr_q <= ptr_q + 1'b1; end
          3'd6: dout <= {done_q, dat_v, 3'd0, st_q};
          3'd7: begin dout <= mac_q[31:24]; mac_q <= {mac_q[23:0], 8'd0}; end
          default: ;
        endcase
      end else if (wr && sel == 3'd6) dout <= {done_q, dat_v, 3'd0, st_q};
      if (rd_q) dout <= ram_q;
      if (go_q && cmd_ready) go_q <= 1'b0;
      if (rsp_valid && !zwait_q) begin busy_q <= 1'b0; done_q <= 1'b1; st_q <= rsp_status; mac_q <= rsp_mac; end
      // zeroize done: the engine is idle again after its scrub (no response)
      if (zwait_q && !zero_q && cmd_ready) begin zwait_q <= 1'b0; busy_q <= 1'b0; done_q <= 1'b1; st_q <= 3'd0; end
    end
  end

  assign busy = busy_q;
  assign done = done_q;
endmodule
