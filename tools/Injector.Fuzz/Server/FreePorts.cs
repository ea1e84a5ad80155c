using System.Net;
using System.Net.Sockets;

namespace Injector.Fuzz.Server;

/// <summary>Ports the kernel says are free on 127.0.0.1 right now.</summary>
internal static class FreePorts
{
    /// <summary>Two distinct free ports: both listeners are held open until both are known.</summary>
    public static (int First, int Second) Pair()
    {
        var first = new TcpListener(IPAddress.Loopback, 0);
        var second = new TcpListener(IPAddress.Loopback, 0);
        try
        {
            first.Start();
            second.Start();
            return (((IPEndPoint)first.LocalEndpoint).Port, ((IPEndPoint)second.LocalEndpoint).Port);
        }
        finally
        {
            first.Stop();
            second.Stop();
            first.Dispose();
            second.Dispose();
        }
    }
}
