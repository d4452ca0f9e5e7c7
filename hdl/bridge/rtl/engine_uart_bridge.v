// engine_uart_bridge: the tag crypto engine on a UART, for a lab host (hdl/bridge/PROTOCOL.md is
// the byte-level protocol; src/engine/serial/wire.rs is the host's definition of it). Portable
// Verilog (no vendor cells): uart_rx + uart_tx (8N1, CLKS_PER_BIT clocks per bit), one bit-serial
// CRC-16/CCITT-FALSE (crc16_ccitt), the request parser / response writer below, the engine
// (tag_crypto_engine), its frame buffer (2^ADDR_W octets, one port, inferred block RAM) and the
// staging buffer (MAX_DATA + 2 octets, inferred block RAM). KEYS CROSS THE WIRE IN CLEAR TEXT
// (LOAD_KEYS octets): a verification interface, not a tag interface.
//
// Request:  A5 SEQ OP LEN(2) PAYLOAD CRC(2)      Response: 5A SEQ STATUS LEN(2) PAYLOAD CRC(2)
// (big-endian; CRC over SEQ .. PAYLOAD). OP: 00 PING, 01 WRITE, 02 READ, 03 COMMAND, 04 RESET.
// STATUS: 00 OK, 01 ERR_CRC, 02 ERR_LEN, 03 ERR_OP, 04 ERR_BUSY, 05 ERR_TIMEOUT, 06 ERR_FRAMING,
// 07 ERR_RANGE, 08 ERR_OCTETS, 09 ERR_ABORTED.
//
// Behaviour
//   * Half duplex: one thread parses a request, then writes its response; octets that arrive while
//     a response (or the staging-buffer clear before it) is being written are skipped like octets
//     outside a frame. Outside a frame every octet but A5 is skipped.
//   * Inside a frame (after A5): a framing error answers ERR_FRAMING, TIMEOUT_CLKS clocks without
//     an octet answer ERR_TIMEOUT (SEQ 00 when the frame was cut before SEQ), LEN over
//     MAX_DATA + 2 answers ERR_LEN right after the LEN field; the parser then hunts for A5.
//   * Once the whole frame is in, the checks in this order: CRC, OP, LEN for OP, busy, range; a
//     rejected frame changes nothing (its payload only reached the staging buffer, whose content
//     is never used for a rejected frame; while a command runs no payload is stored at all).
//   * COMMAND is generic: ENG_OP / ADDR / ELEN go to cmd_op / cmd_addr / cmd_len, the OCTETS are
//     offered on the engine's command-octet port from the staging buffer; a command runs in the
//     background (PING answered, WRITE / READ / COMMAND refused with ERR_BUSY, RESET taken) and
//     its response (ENG_STATUS, MAC, CYCLES) is written when the engine answers and no other frame
//     is being handled. CYCLES: clock cycles from the command handshake to the engine's response
//     (the cycle after the handshake is 1, the first cycle of rsp_valid is counted). The engine
//     holds its response (rsp_ready low) until the response frame has been written. An octet
//     asked for after the last one given: the engine is zeroized, ERR_OCTETS.
//   * RESET (and rst_n): zeroize the engine (one-cycle pulse), clear the bridge's registers and the
//     staging buffer (MAX_DATA + 2 cycles, overlapping the engine's 32-cycle scrub); a command
//     running at RESET first gets ERR_ABORTED (its SEQ), then RESET answers OK.
//   * Secrets: the staging buffer (which holds LOAD_KEYS octets) is cleared at reset, at RESET, and
//     before every response when anything was written to it (MAX_DATA + 2 cycles; not while a
//     command still needs its octets); its read register is 0 one cycle after such a clear. The
//     UART's receive registers are 0 once their octet is taken. No key is ever read back.
//   * led_busy: a command is running; led_err: the last response was an error.
// Parameters: CLKS_PER_BIT >= 4 (board: 12 MHz / baud), TIMEOUT_CLKS (board: about 100 ms),
// MAX_DATA (4 .. 32000, the data octets of one WRITE / READ), ADDR_W (4 .. 16: the frame buffer is
// 2^ADDR_W octets), the engine's profile parameters
// (passed through) and FPGA_STYLE (1 on the iCE40: the key ring in block RAM).
module engine_uart_bridge #(
  parameter integer CLKS_PER_BIT  = 104,
  parameter integer TIMEOUT_CLKS  = 1200000,
  parameter integer MAX_DATA      = 256,
  parameter integer ADDR_W        = 12,
  parameter integer CLEAR_LEN     = 2,
  parameter integer IND_OFFSET    = 1,
  parameter [7:0]   IND_NULL      = 8'h01,
  parameter [7:0]   IND_CIPHERED  = 8'h02,
  parameter integer MAC_TRAILER   = 0,
  parameter [31:0]  REQ_COUNT     = 32'h0,
  parameter [4:0]   REQ_BEARER    = 5'd0,
  parameter [0:0]   REQ_DIRECTION = 1'b1,
  parameter [31:0]  RSP_COUNT     = 32'h0,
  parameter [4:0]   RSP_BEARER    = 5'd0,
  parameter [0:0]   RSP_DIRECTION = 1'b0,
  parameter integer FPGA_STYLE    = 0
) (
  input  wire clk,
  input  wire rst_n,
  input  wire uart_rx,
  output wire uart_tx,
  output wire led_busy,
  output wire led_err
);
  localparam integer W       = ADDR_W;
  localparam integer LW      = ADDR_W + 4;            // the engine's cmd_len width
  localparam integer MAX_PAY = MAX_DATA + 2;
  localparam integer IW      = $clog2(MAX_PAY + 1);   // payload index / staging address
  localparam integer TW      = $clog2(TIMEOUT_CLKS + 1);
  localparam [15:0]  MAXP16  = MAX_PAY[15:0];
  localparam [15:0]  MAXD16  = MAX_DATA[15:0];
  localparam integer SW      = ((W > IW) ? W : IW) + 1;   // range-check sum width
  localparam integer AW      = SW - 1;                    // a_q: frame and staging addresses
  localparam [AW-1:0] A5     = 5;
  localparam [SW-1:0] LIM_RD  = {{(SW-1){1'b0}}, 1'b1} << W;
  localparam [SW-1:0] LIM_WR  = LIM_RD + {{(SW-2){1'b0}}, 2'd2};
  localparam integer TMO_LAST_I = TIMEOUT_CLKS - 1;
  localparam integer SCRUB_LAST_I = MAX_PAY - 1;
  localparam [TW-1:0] TMO_LAST = TMO_LAST_I[TW-1:0];
  localparam [IW-1:0] SCRUB_LAST = SCRUB_LAST_I[IW-1:0];
  localparam [IW-1:0] I0 = 0, I1 = 1, I2 = 2, I3 = 3, I4 = 4;

  localparam [7:0] SYNC_REQ = 8'ha5, SYNC_RSP = 8'h5a;
  localparam [2:0] OP_PING = 3'd0, OP_WRITE = 3'd1, OP_READ = 3'd2, OP_CMD = 3'd3;   // 3'd4 RESET
  localparam [3:0] ST_OK = 4'h0, E_CRC = 4'h1, E_LEN = 4'h2, E_OP = 4'h3, E_BUSY = 4'h4,
                   E_TMO = 4'h5, E_FRM = 4'h6, E_RANGE = 4'h7, E_OCT = 4'h8, E_ABORT = 4'h9;
  localparam [1:0] K_NONE = 2'd0, K_PING = 2'd1, K_READ = 2'd2, K_CMD = 2'd3;

  localparam [4:0] S_HUNT = 5'd0,  S_SEQ = 5'd1,  S_OP = 5'd2,   S_LH = 5'd3,   S_LL = 5'd4,
                   S_PAY  = 5'd5,  S_CH  = 5'd6,  S_CL = 5'd7,   S_CHK = 5'd8,  S_WRD = 5'd9,
                   S_WWR  = 5'd10, S_SCRUB = 5'd11, S_RWAIT = 5'd12, S_TSYNC = 5'd13,
                   S_TSEQ = 5'd14, S_TST = 5'd15, S_TLH = 5'd16, S_TLL = 5'd17, S_TPAY = 5'd18,
                   S_TCH  = 5'd19, S_TCL = 5'd20, S_TEND = 5'd21;

  // ---------------------------------------------------------------- UART
  wire       rx_valid, rx_ferr;
  wire [7:0] rx_data;
  wire       tx_ready;
  reg        txv_q;
  reg  [7:0] txd_q;

  uart_rx #(.CLKS_PER_BIT(CLKS_PER_BIT)) u_rx (
    .clk(clk), .rst_n(rst_n), .rx(uart_rx),
    .out_valid(rx_valid), .out_ready(1'b1), .out_data(rx_data), .ferr(rx_ferr));
  uart_tx #(.CLKS_PER_BIT(CLKS_PER_BIT)) u_tx (
    .clk(clk), .rst_n(rst_n), .in_valid(txv_q), .in_ready(tx_ready), .in_data(txd_q),
    .tx(uart_tx));

  // ---------------------------------------------------------------- CRC (requests and responses)
  reg        crc_init, crc_go;
  reg  [7:0] crc_in;
  wire       crc_busy;
  wire [15:0] crc;
  crc16_ccitt u_crc (
    .clk(clk), .rst_n(rst_n), .init(crc_init), .in_valid(crc_go), .in_data(crc_in),
    .busy(crc_busy), .crc(crc));

  // ---------------------------------------------------------------- registers
  reg [4:0]    state_q;
  reg [7:0]    seq_q, cseq_q;
  reg [2:0]    op_q;
  reg          opbad_q;
  reg [15:0]   len_q;
  reg [IW-1:0] idx_q;
  reg [AW-1:0] a_q;        // ADDR; frame pointer; command-octet index (staging) while busy
  reg          ahi_q;      // ADDR has bits at or above AW (only the range check needs them)
  reg [15:0]   f_q;        // COUNT / ELEN; end of the command octets while busy
  reg [2:0]    eop_q;      // ENG_OP; eophi_q: ENG_OP over 7
  reg          eophi_q;
  reg          busy_q;     // a COMMAND accepted and not yet answered
  reg          go_q;       // cmd_valid
  reg          fr_q;       // the staging read register holds staging[a_q]
  reg          octerr_q;   // ERR_OCTETS to answer
  reg          abort_q;    // RESET hit a running command: ERR_ABORTED first
  reg          rstf_q;     // RESET in progress (answer OK after the clear)
  reg          boot_q;     // the clear after rst_n (no response)
  reg          dirty_q;    // the staging buffer holds something
  reg          zero_q;     // the engine's zeroize input
  reg          rspr_q;     // the engine's rsp_ready
  reg [3:0]    rst_q;      // response: status, kind, SEQ of the command
  reg [1:0]    rk_q;
  reg          rcs_q;
  reg          err_q;
  reg [31:0]   cyc_q;
  reg [TW-1:0] tmo_q;

  // ---------------------------------------------------------------- engine
  wire          cmd_ready, dat_ready, rsp_valid, mem_req, mem_we, mem_own;
  wire [2:0]    rsp_status;
  wire [31:0]   rsp_mac;
  wire [W-1:0]  mem_addr;
  wire [7:0]    mem_wdata;
  reg  [7:0]    fb_q, stg_q;
  reg           ack_q;
  wire [31:0]   f32 = {16'd0, f_q};
  wire [16:0]   a17 = {{(17-AW){1'b0}}, a_q};
  wire [15:0]   a16 = a17[15:0];
  wire          dat_have = (a_q[IW-1:0] != f_q[IW-1:0]);
  wire          dat_valid = busy_q && !go_q && fr_q && dat_have && !octerr_q && !zero_q;

  tag_crypto_engine #(
    .ADDR_W(W), .CLEAR_LEN(CLEAR_LEN), .IND_OFFSET(IND_OFFSET), .IND_NULL(IND_NULL),
    .IND_CIPHERED(IND_CIPHERED), .MAC_TRAILER(MAC_TRAILER),
    .REQ_COUNT(REQ_COUNT), .REQ_BEARER(REQ_BEARER), .REQ_DIRECTION(REQ_DIRECTION),
    .RSP_COUNT(RSP_COUNT), .RSP_BEARER(RSP_BEARER), .RSP_DIRECTION(RSP_DIRECTION),
    .FPGA_STYLE(FPGA_STYLE), .HAS_KDF(0)
  ) u_engine (
    .clk(clk), .rst_n(rst_n), .zeroize(zero_q),
    .cmd_valid(go_q), .cmd_ready(cmd_ready), .cmd_op(eop_q),
    .cmd_addr(a_q[W-1:0]), .cmd_len(f32[LW-1:0]),
    .dat_valid(dat_valid), .dat_ready(dat_ready), .dat_data(dat_valid ? stg_q : 8'd0),
    .rsp_valid(rsp_valid), .rsp_ready(rspr_q), .rsp_status(rsp_status), .rsp_mac(rsp_mac),
    .mem_req(mem_req), .mem_we(mem_we), .mem_addr(mem_addr), .mem_wdata(mem_wdata),
    .mem_ack(ack_q), .mem_rdata(fb_q), .mem_own(mem_own),
    /* verilator lint_off PINCONNECTEMPTY */  // no key store: ltk_idx unused (HAS_KDF 0)
    .ltk_idx(),
    /* verilator lint_on PINCONNECTEMPTY */
    .ltk_data(8'd0), .ltk_len32(1'b0));

  // ---------------------------------------------------------------- frame buffer (engine while it owns it)
  reg  [7:0]   fb [0:(1<<W)-1];
  wire         fb_wr = (state_q == S_WWR);
  wire [W-1:0] fb_a  = mem_own ? mem_addr : a_q[W-1:0];
  wire         fb_we = mem_own ? (mem_we && ack_q) : fb_wr;
  wire [7:0]   fb_d  = mem_own ? mem_wdata : stg_q;
  always @(posedge clk) begin
    if (fb_we) fb[fb_a] <= fb_d;
    fb_q <= fb[fb_a];
  end

  // ---------------------------------------------------------------- staging buffer
  reg  [7:0]    stg [0:(1<<IW)-1];
  wire          in_frame = (state_q >= S_SEQ) && (state_q <= S_CL);
  wire          rx_oct   = rx_valid && in_frame;
  wire          stg_pay  = rx_valid && (state_q == S_PAY) && !busy_q;
  wire          stg_clr  = (state_q == S_SCRUB);
  wire          stg_we   = stg_pay || stg_clr;
  wire [IW-1:0] stg_wa   = idx_q;
  wire [7:0]    stg_wd   = stg_clr ? 8'd0 : rx_data;
  wire [IW-1:0] stg_ra   = busy_q ? a_q[IW-1:0] : idx_q;
  always @(posedge clk) begin
    if (stg_we) stg[stg_wa] <= stg_wd;
    stg_q <= stg[stg_ra];
  end

  // ---------------------------------------------------------------- checks of a whole frame
  wire        crc_ok  = (crc == 16'd0);
  wire        len0    = (len_q == 16'd0);
  // LEN for OP as bit tests (no comparator chains): WRITE >= 3, READ == 4, COMMAND >= 5, else 0
  wire        lhi2    = (len_q[15:2] == 14'd0);
  wire        lhi3    = (len_q[15:3] == 13'd0);
  reg         len_bad;
  always @(*) begin
    case (op_q)
      OP_WRITE: len_bad = lhi2 && (len_q[1:0] != 2'd3);
      OP_READ:  len_bad = !(lhi3 && len_q[2] && (len_q[1:0] == 2'd0));
      OP_CMD:   len_bad = lhi3 && (!len_q[2] || (len_q[1:0] == 2'd0));
      default:  len_bad = !len0;                       // PING, RESET
    endcase
  end
  wire        fb_op   = (op_q == OP_WRITE) || (op_q == OP_READ) || (op_q == OP_CMD);
  wire        eng_busy = busy_q || mem_own || zero_q;
  // WRITE: ADDR + (LEN - 2) <= 2^ADDR_W; READ: ADDR + COUNT <= 2^ADDR_W, COUNT 1 .. MAX_DATA
  // (the adder is only as wide as the buffer: ADDR's upper bits are checked apart, LEN and
  // COUNT are below 2^IW here, LEN by the check after the LEN field, COUNT by cnt_bad)
  wire [SW-1:0] r_a   = {{(SW-W){1'b0}}, a_q[W-1:0]};
  wire [SW-1:0] r_b   = {{(SW-IW){1'b0}}, ((op_q == OP_READ) ? f_q[IW-1:0] : len_q[IW-1:0])};
  wire [SW-1:0] r_sum = r_a + r_b;                   // below 2^SW: no carry out
  wire [SW-1:0] r_lim = (op_q == OP_WRITE) ? LIM_WR : LIM_RD;
  wire        a_hi    = ahi_q || ((a17 >> W) != 17'd0);
  wire        cnt_bad = (f_q == 16'd0) || (f_q > MAXD16);
  wire        cmd_bad = eophi_q || a_hi || ((f32 >> LW) != 32'd0);
  wire        range_bad = (op_q == OP_CMD) ? cmd_bad :
                          (a_hi || (r_sum > r_lim) || ((op_q == OP_READ) && cnt_bad));

  // registered: the fields are stable for at least 8 cycles (the CRC's) before S_CHK uses them
  reg         len_bad_q, range_bad_q;
  always @(posedge clk) begin
    len_bad_q   <= len_bad;
    range_bad_q <= range_bad;
  end

  // ---------------------------------------------------------------- response octets
  wire [15:0] rlen = (rk_q == K_PING) ? 16'd8 : (rk_q == K_READ) ? f_q :
                     (rk_q == K_CMD) ? 16'd9 : 16'd0;
  // the payload octet as a mux tree on the octet index k (not a case per octet): COMMAND
  // k = 0 status, 1 .. 4 MAC, 5 .. 8 CYCLES (most significant first); PING 'AIOT' 01 ADDR_W MAX_DATA
  wire [3:0]  k       = idx_q[3:0];
  wire [7:0]  c_lo    = k[1] ? (k[0] ? rsp_mac[15:8] : rsp_mac[23:16])
                             : (k[0] ? rsp_mac[31:24] : {5'd0, rsp_status});
  wire [7:0]  c_hi    = k[1] ? (k[0] ? cyc_q[15:8] : cyc_q[23:16])
                             : (k[0] ? cyc_q[31:24] : rsp_mac[7:0]);
  wire [7:0]  cmd_oct = k[3] ? cyc_q[7:0] : (k[2] ? c_hi : c_lo);
  reg  [7:0]  ping_oct;
  always @(*) begin
    case (k[2:0])
      3'd0: ping_oct = 8'h41;  3'd1: ping_oct = 8'h49;  3'd2: ping_oct = 8'h4f;
      3'd3: ping_oct = 8'h54;  3'd4: ping_oct = 8'h01;  3'd5: ping_oct = W[7:0];
      3'd6: ping_oct = MAXD16[15:8];
      default: ping_oct = MAXD16[7:0];
    endcase
  end
  wire [7:0]  pay_oct = rk_q[1] ? (rk_q[0] ? cmd_oct : fb_q) : (rk_q[0] ? ping_oct : 8'd0);
  // the verdict on a whole frame, in the protocol's order: CRC, OP, LEN for OP, busy, range
  wire [3:0]  chk_st = !crc_ok ? E_CRC : opbad_q ? E_OP : len_bad_q ? E_LEN :
                       (fb_op && eng_busy) ? E_BUSY : (fb_op && range_bad_q) ? E_RANGE : ST_OK;
  reg         ctx_q;                            // txd_q goes to the CRC in this cycle
  wire        emit = !txv_q && !crc_busy && !ctx_q;   // room for the next response octet

  // the response to write next: status, kind, SEQ of the running command; the staging buffer is
  // cleared first when it holds anything no running command needs
  task respond(input [3:0] st, input [1:0] kind, input cs);
    begin
      rst_q <= st; rk_q <= kind; rcs_q <= cs;
      state_q <= (dirty_q && (!busy_q || cs)) ? S_SCRUB : S_TSYNC;
      idx_q <= {IW{1'b0}};
    end
  endtask

  reg [7:0] txd_next;
  always @(*) begin
    case (state_q)
      S_TSYNC: txd_next = SYNC_RSP;
      S_TSEQ:  txd_next = rcs_q ? cseq_q : seq_q;
      S_TST:   txd_next = {4'd0, rst_q};
      S_TLH:   txd_next = rlen[15:8];
      S_TLL:   txd_next = rlen[7:0];
      S_TPAY:  txd_next = pay_oct;
      S_TCH, S_TCL: txd_next = crc[15:8];   // S_TCL: the CRC took the high octet -> old crc[7:0]
      default: txd_next = 8'd0;
    endcase
  end

  // the CRC takes a request octet as it arrives, a response octet from txd_q in the cycle after
  // it was written there (ctx_q)
  always @(*) begin
    crc_init = 1'b0; crc_go = 1'b0; crc_in = ctx_q ? txd_q : rx_data;
    if (rx_valid && state_q == S_HUNT && rx_data == SYNC_REQ) crc_init = 1'b1;
    if (rx_oct || ctx_q) crc_go = 1'b1;
    if (emit && state_q == S_TSYNC) crc_init = 1'b1;
  end

  // the payload index after this octet, and whether it is the last (request LEN / response LEN)
  wire [IW-1:0] idx_nx  = idx_q + 1'b1;
  wire          idx_end = ({{(16-IW){1'b0}}, idx_nx} == ((state_q == S_TPAY) ? rlen : len_q));

  wire cmd_hs = go_q && cmd_ready;
  // ADDR as it arrives, octet by octet (16 bits wide; a_q keeps AW of them, ahi_q the rest)
  wire [15:0] a_hi_in = {rx_data, a16[7:0]};
  wire [15:0] a_lo_in = {a16[15:8], rx_data};
  wire dat_hs = dat_valid && dat_ready;

  // CYCLES: 0 while no command runs (a plain clear, so the counter is one LUT and carry per
  // bit); counts the handshake cycle (-> 1) and every cycle up to the engine's response
  always @(posedge clk) begin
    if (!rst_n || !busy_q) cyc_q <= 32'd0;
    else if ((!go_q || cmd_ready) && !rsp_valid && !octerr_q) cyc_q <= cyc_q + 1'b1;
  end

  always @(posedge clk) begin
    if (!rst_n) begin
      state_q <= S_SCRUB; seq_q <= 8'd0; cseq_q <= 8'd0; op_q <= 3'd0; opbad_q <= 1'b0;
      len_q <= 16'd0; idx_q <= {IW{1'b0}}; a_q <= {AW{1'b0}}; ahi_q <= 1'b0; f_q <= 16'd0;
      eop_q <= 3'd0; eophi_q <= 1'b0;
      busy_q <= 1'b0; go_q <= 1'b0; fr_q <= 1'b0; octerr_q <= 1'b0; abort_q <= 1'b0;
      rstf_q <= 1'b0; boot_q <= 1'b1; dirty_q <= 1'b1; zero_q <= 1'b0; rspr_q <= 1'b0;
      rst_q <= 4'd0; rk_q <= K_NONE; rcs_q <= 1'b0; err_q <= 1'b0;
      tmo_q <= {TW{1'b0}}; txv_q <= 1'b0; txd_q <= 8'd0; ack_q <= 1'b0; ctx_q <= 1'b0;
    end else begin
      zero_q <= 1'b0;
      rspr_q <= 1'b0;
      ctx_q  <= 1'b0;
      ack_q  <= mem_req && !ack_q && !zero_q;
      if (txv_q && tx_ready) begin txv_q <= 1'b0; txd_q <= 8'd0; end

      // ---- the running command (background)
      fr_q <= !(dat_hs || cmd_hs);
      if (cmd_hs) begin
        go_q <= 1'b0; a_q <= A5; f_q <= len_q;
      end
      if (dat_hs) a_q <= a_q + 1'b1;
      if (busy_q && !go_q && !dat_have && dat_ready && !octerr_q && !zero_q) begin
        zero_q <= 1'b1; octerr_q <= 1'b1;            // the engine wants an octet it was not given
      end

      // ---- frame timeout (inside a frame)
      if (!in_frame || rx_valid) tmo_q <= {TW{1'b0}};
      else tmo_q <= tmo_q + 1'b1;

      case (state_q)
        S_HUNT: begin
          if (rx_valid && rx_data == SYNC_REQ) begin
            state_q <= S_SEQ; seq_q <= 8'd0; idx_q <= {IW{1'b0}};
          end else if (busy_q && octerr_q) begin
            respond(E_OCT, K_NONE, 1'b1);
          end else if (busy_q && !go_q && rsp_valid) begin
            respond(ST_OK, K_CMD, 1'b1);
          end
        end
        S_SEQ: if (rx_valid) begin seq_q <= rx_data; state_q <= S_OP; end
        S_OP:  if (rx_valid) begin
          op_q <= rx_data[2:0]; opbad_q <= (rx_data > 8'd4); state_q <= S_LH;
        end
        S_LH:  if (rx_valid) begin len_q[15:8] <= rx_data; state_q <= S_LL; end
        S_LL:  if (rx_valid) begin
          len_q[7:0] <= rx_data;
          if ({len_q[15:8], rx_data} > MAXP16) respond(E_LEN, K_NONE, 1'b0);
          else state_q <= ({len_q[15:8], rx_data} == 16'd0) ? S_CH : S_PAY;
        end
        S_PAY: if (rx_valid) begin
          if (!busy_q) begin
            dirty_q <= 1'b1;
            if (op_q == OP_CMD && idx_q == I0) begin
              eop_q <= rx_data[2:0]; eophi_q <= (rx_data[7:3] != 5'd0);
            end
            if (idx_q == ((op_q == OP_CMD) ? I1 : I0)) begin      // ADDR, high octet
              a_q <= a_hi_in[AW-1:0]; ahi_q <= ((a_hi_in >> AW) != 16'd0);
            end
            if (idx_q == ((op_q == OP_CMD) ? I2 : I1)) begin      // ADDR, low octet
              a_q <= a_lo_in[AW-1:0]; ahi_q <= ahi_q || ((a_lo_in >> AW) != 16'd0);
            end
            if (idx_q == ((op_q == OP_CMD) ? I3 : I2)) f_q[15:8] <= rx_data;
            if (idx_q == ((op_q == OP_CMD) ? I4 : I3)) f_q[7:0]  <= rx_data;
          end
          idx_q <= idx_nx;
          if (idx_end) state_q <= S_CH;
        end
        S_CH: if (rx_valid) state_q <= S_CL;
        S_CL: if (rx_valid) state_q <= S_CHK;
        S_CHK: if (!crc_busy) begin
          if (chk_st != ST_OK || op_q == OP_PING || op_q == OP_READ)
            respond(chk_st, (chk_st != ST_OK) ? K_NONE : (op_q == OP_READ) ? K_READ : K_PING, 1'b0);
          else case (op_q)
            OP_WRITE: begin idx_q <= I2; state_q <= S_WRD; end
            OP_CMD:   begin go_q <= 1'b1; busy_q <= 1'b1; cseq_q <= seq_q; state_q <= S_HUNT; end
            default: begin                                   // RESET (3'd4)
              zero_q <= 1'b1; abort_q <= busy_q; rstf_q <= 1'b1; busy_q <= 1'b0; go_q <= 1'b0;
              octerr_q <= 1'b0; a_q <= {AW{1'b0}}; ahi_q <= 1'b0; f_q <= 16'd0; eop_q <= 3'd0;
              eophi_q <= 1'b0;
              len_q <= 16'd0; op_q <= 3'd0; dirty_q <= 1'b1;
              idx_q <= {IW{1'b0}}; state_q <= S_SCRUB;
            end
          endcase
        end
        S_WRD: state_q <= S_WWR;                       // staging[idx] -> stg_q
        S_WWR: begin                                   // frame[a] <= stg_q
          a_q <= a_q + 1'b1; idx_q <= idx_nx;
          if (idx_end) respond(ST_OK, K_NONE, 1'b0);
          else state_q <= S_WRD;
        end
        S_SCRUB: begin
          idx_q <= idx_nx;
          if (idx_q == SCRUB_LAST) begin
            dirty_q <= 1'b0; idx_q <= {IW{1'b0}};
            state_q <= (rstf_q || boot_q) ? S_RWAIT : S_TSYNC;
          end
        end
        S_RWAIT: if (!zero_q && cmd_ready) begin
          if (boot_q) begin boot_q <= 1'b0; state_q <= S_HUNT; end
          else if (abort_q) begin rst_q <= E_ABORT; rk_q <= K_NONE; rcs_q <= 1'b1; state_q <= S_TSYNC; end
          else begin rst_q <= ST_OK; rk_q <= K_NONE; rcs_q <= 1'b0; state_q <= S_TSYNC; end
        end
        S_TSYNC, S_TSEQ, S_TST, S_TLH, S_TLL, S_TPAY, S_TCH, S_TCL: if (emit) begin
          txv_q <= 1'b1; txd_q <= txd_next;
          // the CRC octet goes through the CRC too: after the high octet, crc[15:8] is the old
          // crc[7:0] (CRC-16 without reflection), so both CRC octets are crc[15:8]
          ctx_q <= (state_q != S_TSYNC) && (state_q != S_TCL);
          case (state_q)
            S_TLL:  begin idx_q <= {IW{1'b0}}; state_q <= (rlen == 16'd0) ? S_TCH : S_TPAY; end
            S_TPAY: begin
              idx_q <= idx_nx;
              if (rk_q == K_READ) a_q <= a_q + 1'b1;
              if (idx_end) state_q <= S_TCH;
            end
            S_TCL:  state_q <= S_TEND;
            default: state_q <= state_q + 5'd1;
          endcase
        end
        default: begin                                 // S_TEND
          err_q <= (rst_q != ST_OK);
          if (rk_q == K_CMD) rspr_q <= 1'b1;
          if (rcs_q && !rstf_q) begin busy_q <= 1'b0; octerr_q <= 1'b0; end
          if (rstf_q && abort_q) begin
            abort_q <= 1'b0; rst_q <= ST_OK; rk_q <= K_NONE; rcs_q <= 1'b0; state_q <= S_TSYNC;
          end else begin
            rstf_q <= 1'b0; state_q <= S_HUNT;
          end
        end
      endcase

      // inside a frame: a framing error or a silent host ends it with an error response
      if (in_frame && (rx_ferr || (!rx_valid && tmo_q == TMO_LAST)))
        respond(rx_ferr ? E_FRM : E_TMO, K_NONE, 1'b0);
    end
  end

  assign led_busy = busy_q;
  assign led_err  = err_q;
endmodule
